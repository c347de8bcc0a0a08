// Jest's globalSetup and globalTeardown: every temporary directory the tests make goes into one directory per run,
// removed at the end. cdk8s' Testing.app() makes an output directory per app and never removes it; left in the OS
// temp directory, they piled up: 170,000 on one machine.
const fs = require('fs');
const os = require('os');
const path = require('path');

const KEY = 'CDK8S_PATTERNS_TEST_TMPDIR';

function setup() {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cdk8s-patterns-jest-'));
  process.env[KEY] = dir;
  // Inherited by the test workers, which jest starts after this: os.tmpdir() reads it.
  process.env.TMPDIR = dir;
}

function teardown() {
  const dir = process.env[KEY];
  if (dir) fs.rmSync(dir, { recursive: true, force: true });
}

module.exports = { setup, teardown };
