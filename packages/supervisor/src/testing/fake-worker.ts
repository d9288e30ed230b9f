// Entry for the fake worker: the supervisor passes only --root, so the component is fixed here.
process.env['FAKE_COMPONENT'] = 'worker';
await import('./fake-child.js');
