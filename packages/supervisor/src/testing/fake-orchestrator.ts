// Entry for the fake orchestrator: the supervisor passes only --root, so the component is fixed here.
process.env['FAKE_COMPONENT'] = 'orchestrator';
await import('./fake-child.js');
