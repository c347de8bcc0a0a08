// Synth warns about `busybox:latest` in the demo whenever a test builds it; tests that check
// warnings read this mock themselves.
jest.spyOn(console, 'warn').mockImplementation(() => undefined);
