import * as fs from 'fs';
import * as path from 'path';
import { MessageChannel, MessagePort, receiveMessageOnPort, Worker } from 'worker_threads';
import { yamlDocumentWriter } from './yaml';

/**
 * Synth's files, written as partial files while the app still renders: a writer thread on another core turns
 * each chart's objects into YAML (js-yaml, the options of `manifestsToYaml`) and each file into a partial file
 * beside its final name, written and flushed (fsync) through libuv's thread pool, several at a time. The main
 * thread only renders and hands objects over. Nothing is renamed here: {@link PartialFiles.finish} waits until
 * every file is on disk and says which ones changed; synth renames them once the whole app has rendered
 * without error, and {@link PartialFiles.abort} removes them otherwise.
 *
 * A file whose bytes are already those of the file synth wrote before (a name `previous` lists) gets no
 * partial file: it is left alone, its mtime too.
 */
export class PartialFiles {
  /**
   * Creates `dir` if needed (removed again by {@link abort} when it was created here), removes partial files a
   * killed run left there, and starts the writer thread. `isLeftover` tells such files by name.
   */
  public static open(dir: string, previous: readonly string[], partialName: (name: string) => string, isLeftover: (name: string) => boolean): PartialFiles {
    const created = fs.mkdirSync(dir, { recursive: true });
    for (const leftover of fs.readdirSync(dir).filter(isLeftover)) fs.unlinkSync(path.join(dir, leftover));
    return new PartialFiles(dir, previous, partialName, created);
  }

  private readonly worker: Worker;
  private readonly port: MessagePort;
  private readonly done = new Int32Array(new SharedArrayBuffer(4));
  /** The objects handed over by {@link addObject}, with the number the writer knows each by. */
  private readonly posted = new Map<object, number>();
  private closed = false;

  private constructor(
    private readonly dir: string,
    previous: readonly string[],
    private readonly partialName: (name: string) => string,
    private readonly created: string | undefined,
  ) {
    const { port1, port2 } = new MessageChannel();
    this.port = port1;
    const workerData: WriterData = {
      port: port2,
      done: this.done,
      dir,
      previous: [...previous],
      jsYaml: require.resolve('js-yaml'),
      failAtWrite: failAtWriteForTesting,
    };
    this.worker = new Worker(writerSource(), { eval: true, workerData, transferList: [port2] });
    // Never keeps the process alive: finish() and abort() wait for it themselves. Its errors come as replies.
    this.worker.unref();
    this.worker.on('error', () => {});
  }

  /**
   * Hands over one object as soon as it has rendered, before its chart has: the writer thread makes its YAML
   * document meanwhile, and {@link addManifests} then refers to it.
   */
  public addObject(object: object): void {
    if (this.posted.has(object)) return;
    const id = this.posted.size;
    this.posted.set(object, id);
    this.post({ op: 'object', id, object });
  }

  /** Queues a chart file: `objects` as YAML documents, written as `name`'s partial file. */
  public addManifests(name: string, objects: readonly unknown[]): void {
    const items = objects.map((object): ManifestItem => {
      const id = typeof object === 'object' && object !== null ? this.posted.get(object) : undefined;
      return id === undefined ? { object } : id;
    });
    this.post({ op: 'manifests', name, partial: this.partialName(name), items });
  }

  /** Queues a text file (a runbook), written as `name`'s partial file. */
  public addText(name: string, text: string): void {
    this.post({ op: 'text', name, partial: this.partialName(name), text });
  }

  /**
   * Waits until every queued file is written and flushed, or found unchanged; returns the names that have a
   * partial file to rename. Throws (having removed every partial file) if one could not be written.
   */
  public finish(): string[] {
    const reply = this.request({ op: 'finish' });
    if (reply.error !== undefined) {
      this.removeCreatedDirectory();
      throw reviveError(reply.error);
    }
    return reply.written;
  }

  /** Removes every partial file written (waiting for writes under way) and the directory if it was created here. */
  public abort(): void {
    if (this.closed) return;
    this.request({ op: 'abort' });
    this.removeCreatedDirectory();
  }

  /** Requests not yet sent: sent BATCH at a time, each message waking the writer thread once. */
  private batch: WriterRequest[] = [];

  private post(message: WriterRequest): void {
    if (this.closed) throw new Error('PartialFiles: already finished. This is a bug: report it.');
    this.batch.push(message);
    if (this.batch.length >= BATCH || message.op === 'manifests' || message.op === 'finish' || message.op === 'abort') {
      this.port.postMessage(this.batch);
      this.batch = [];
    }
  }

  /** Sends `message` and blocks until the writer answers (synth is synchronous; the writer runs on its own thread). */
  private request(message: WriterRequest): WriterReply {
    this.post(message);
    this.closed = true;
    // The writer posts its reply, then sets `done` and wakes us.
    Atomics.wait(this.done, 0, 0);
    const received = receiveMessageOnPort(this.port);
    this.port.close();
    void this.worker.terminate();
    if (!received) throw new Error('The file writer thread stopped without answering. This is a bug: report it.');
    return received.message as WriterReply;
  }

  private removeCreatedDirectory(): void {
    if (this.created === undefined) return;
    // From `dir` up to the first directory mkdir created, each only if empty (rmdir refuses otherwise).
    for (let dir = this.dir; ; dir = path.dirname(dir)) {
      try {
        fs.rmdirSync(dir);
      } catch {
        return;
      }
      if (dir === this.created) return;
    }
  }
}

/** Requests sent to the writer thread in one message. */
const BATCH = 16;

/**
 * The writer thread's code: the text of writerThread and yamlDocumentWriter, which reach nothing outside themselves
 * but `require` and workerData. A transpiler may have added a helper to that text: esbuild's keepNames (tsx runs
 * TypeScript with it) wraps functions in `__name(fn, "name")`, defined here as what it returns. If the code fails
 * anyway, the thread answers with the error, so that the main thread, waiting for an answer, never hangs.
 */
function writerSource(): string {
  return [
    'var __name = (target) => target;',
    `try { ${brokenWriterForTesting ? 'throw new Error("broken for a test")' : `(${writerThread.toString()})(${yamlDocumentWriter.toString()})`}; } catch (error) {`,
    "  const { workerData } = require('worker_threads');",
    '  workerData.port.postMessage({ written: [], error: { message: `synth\'s writer thread did not start: ${error && error.stack || error}` } });',
    '  Atomics.store(workerData.done, 0, 1);',
    '  Atomics.notify(workerData.done, 0);',
    '}',
  ].join('\n');
}

/** For tests: the writer thread's code throws as it starts. */
let brokenWriterForTesting = false;

/** @internal */
export function _breakWriterForTesting(broken: boolean): void {
  brokenWriterForTesting = broken;
}

/** For tests: the writer thread fails its Nth file write (1-based) as a full disk would. */
let failAtWriteForTesting: number | undefined;

/** @internal */
export function _failAtWriteForTesting(write: number | undefined): void {
  failAtWriteForTesting = write;
}

interface WriterData {
  readonly port: MessagePort;
  readonly done: Int32Array;
  readonly dir: string;
  readonly previous: string[];
  readonly jsYaml: string;
  readonly failAtWrite: number | undefined;
}

/** A chart file's document: the number of an object handed over before, or the object itself. */
type ManifestItem = number | { object: unknown };

type WriterRequest =
  | { op: 'object'; id: number; object: unknown }
  | { op: 'manifests'; name: string; partial: string; items: ManifestItem[] }
  | { op: 'text'; name: string; partial: string; text: string }
  | { op: 'finish' }
  | { op: 'abort' };

type WriterReply = { written: string[]; error?: SerializedError };
type SerializedError = { message: string; code?: string; stack?: string };

function reviveError(error: SerializedError): Error {
  return Object.assign(new Error(error.message), error.code === undefined ? {} : { code: error.code });
}

/**
 * The writer thread. Runs from its source text, so it uses nothing from this module: only `require` and its
 * workerData. YAML is made on this thread, one chart at a time as they arrive; the file writes and fsyncs go
 * to libuv's thread pool, several at a time, while the next chart arrives.
 */
function writerThread(documentWriter: typeof yamlDocumentWriter): void {
  /* eslint-disable @typescript-eslint/no-require-imports */
  const { workerData } = require('worker_threads') as typeof import('worker_threads');
  const nodeFs = require('fs') as typeof import('fs');
  const nodePath = require('path') as typeof import('path');
  const data = workerData as WriterData;
  const reply = (message: WriterReply): void => {
    data.port.postMessage(message);
    Atomics.store(data.done, 0, 1);
    Atomics.notify(data.done, 0);
    data.port.close();
  };
  const serialized = (error: unknown): SerializedError => {
    const { message, code, stack } = (error ?? {}) as NodeJS.ErrnoException;
    return { message: String(message ?? error), code, stack };
  };
  // Whatever goes wrong, the main thread, which waits for a reply, gets one.
  const crash = (error: unknown): void => reply({ written: [], error: serialized(error) });
  process.on('uncaughtException', crash);
  process.on('unhandledRejection', crash);
  const yamlDocument = documentWriter(require(data.jsYaml) as typeof import('js-yaml'));
  /* eslint-enable @typescript-eslint/no-require-imports */
  const previous = new Set(data.previous);
  /** The YAML document of each object handed over on its own, until its chart file takes it. */
  const documents = new Map<number, string>();
  const written: string[] = [];
  const partialPaths: string[] = [];
  const pending = new Set<Promise<void>>();
  let failure: unknown;
  let writes = 0;

  const write = async (name: string, partial: string, bytes: Buffer): Promise<void> => {
    if (previous.has(name)) {
      try {
        if ((await nodeFs.promises.readFile(nodePath.join(data.dir, name))).equals(bytes)) return;
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
      }
    }
    const file = nodePath.join(data.dir, partial);
    // 'wx': fails rather than writing through anything already at that name.
    const handle = await nodeFs.promises.open(file, 'wx');
    partialPaths.push(file);
    try {
      if (++writes === data.failAtWrite) throw Object.assign(new Error('ENOSPC: no space left on device, write'), { code: 'ENOSPC' });
      await handle.writeFile(bytes);
      await handle.sync();
    } finally {
      await handle.close();
    }
    written.push(name);
  };
  const queue = (name: string, partial: string, bytes: () => Buffer): void => {
    if (failure !== undefined) return;
    let job: Promise<void>;
    try {
      job = write(name, partial, bytes());
    } catch (error) {
      failure = error;
      return;
    }
    const tracked = job.catch((error: unknown) => {
      failure ??= error;
    }).finally(() => pending.delete(tracked));
    pending.add(tracked);
  };
  const settle = async (): Promise<void> => {
    while (pending.size > 0) await Promise.all([...pending]);
  };
  const removePartials = async (): Promise<void> => {
    await Promise.all(partialPaths.map((file) => nodeFs.promises.rm(file, { force: true })));
  };

  data.port.on('message', (batch: WriterRequest[]) => {
    for (const message of batch) handle(message);
  });
  function handle(message: WriterRequest): void {
    switch (message.op) {
      case 'object':
        try {
          documents.set(message.id, yamlDocument(message.object));
        } catch (error) {
          failure ??= error;
        }
        break;
      case 'manifests':
        queue(message.name, message.partial, () => {
          const yaml = message.items.map((item) => {
            if (typeof item !== 'number') return yamlDocument(item.object);
            const document = documents.get(item);
            if (document === undefined) throw new Error(`object ${item} was never handed over. This is a bug: report it.`);
            return document;
          });
          for (const item of message.items) if (typeof item === 'number') documents.delete(item);
          return Buffer.from(yaml.join('---\n'));
        });
        break;
      case 'text':
        queue(message.name, message.partial, () => Buffer.from(message.text));
        break;
      case 'finish':
        void settle().then(async () => {
          if (failure === undefined) return reply({ written: written.sort() });
          await removePartials();
          reply({ written: [], error: serialized(failure) });
        });
        break;
      case 'abort':
        void settle().then(removePartials).then(() => reply({ written: [] }));
        break;
    }
  }
}
