import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import {
  configurationSettings,
  expandConfiguredPath,
  initializationOptions,
  reactionToChange,
  resolveServer,
  ResolveServerInput,
  ruleSeverities,
  RULES,
  serverArgs,
} from '../settings';

function input(overrides: Partial<ResolveServerInput>, executables: string[]): ResolveServerInput {
  return {
    configured: '',
    extensionPath: '/ext',
    platform: 'linux',
    envPath: '/usr/local/bin:/usr/bin',
    homeDir: '/home/u',
    workspaceFolder: '/ws',
    isExecutableFile: (file) => executables.includes(file),
    ...overrides,
  };
}

test('the configured path wins over a bundled binary and PATH', () => {
  const resolution = resolveServer(input({ configured: '/opt/wikils' }, ['/opt/wikils', '/ext/server/wikils', '/usr/bin/wikils']));
  assert.deepEqual(resolution, { ok: true, command: '/opt/wikils', source: 'setting' });
});

test('a configured path that does not exist is an error naming the setting, with no fallback', () => {
  const resolution = resolveServer(input({ configured: '/nope/wikils' }, ['/usr/bin/wikils']));
  assert.equal(resolution.ok, false);
  assert.ok(!resolution.ok && resolution.message.includes('wikils.server.path'));
  assert.ok(!resolution.ok && resolution.tried.includes('/nope/wikils'));
});

test('a configured bare name is looked up on PATH', () => {
  const resolution = resolveServer(input({ configured: 'wikils-dev' }, ['/usr/bin/wikils-dev']));
  assert.deepEqual(resolution, { ok: true, command: '/usr/bin/wikils-dev', source: 'setting' });
});

test('~ and ${workspaceFolder} are expanded; relative paths start at the workspace folder', () => {
  assert.equal(expandConfiguredPath('~/bin/wikils', '/home/u', '/ws'), '/home/u/bin/wikils');
  assert.equal(expandConfiguredPath('${workspaceFolder}/target/release/wikils', '/home/u', '/ws'), '/ws/target/release/wikils');
  assert.equal(expandConfiguredPath('target/release/wikils', '/home/u', '/ws'), '/ws/target/release/wikils');
});

test('without a setting the bundled binary is used, then PATH in order', () => {
  assert.deepEqual(resolveServer(input({}, ['/ext/server/wikils', '/usr/bin/wikils'])), {
    ok: true,
    command: '/ext/server/wikils',
    source: 'bundled',
  });
  assert.deepEqual(resolveServer(input({}, ['/usr/bin/wikils', '/usr/local/bin/wikils'])), {
    ok: true,
    command: '/usr/local/bin/wikils',
    source: 'path',
  });
});

test('nothing found: an error that lists every place tried and says how to fix it', () => {
  const resolution = resolveServer(input({ envPath: undefined }, []));
  assert.equal(resolution.ok, false);
  assert.ok(!resolution.ok && resolution.tried[0] === '/ext/server/wikils');
  assert.ok(!resolution.ok && resolution.message.includes('wikils.server.path'));
});

test('Windows looks for wikils.exe on a ;-separated PATH', () => {
  const resolution = resolveServer(
    input({ platform: 'win32', envPath: 'C:\\tools;/w', extensionPath: '/ext' }, ['/w/wikils.exe']),
  );
  assert.deepEqual(resolution, { ok: true, command: '/w/wikils.exe', source: 'path' });
});

test('server arguments are lsp --stdio followed by the extra arguments that are strings', () => {
  assert.deepEqual(serverArgs(undefined), ['lsp', '--stdio']);
  assert.deepEqual(serverArgs(['--log', 'debug', 3]), ['lsp', '--stdio', '--log', 'debug']);
});

test('rule severities keep only valid values, and accept "information" as "info"', () => {
  const settings: Record<string, unknown> = {
    'broken-link': 'warning',
    'broken-anchor': 'off',
    'variant-link': 'information',
    'ambiguous-link': '',
    'duplicate-category': 'loud',
    'not-a-rule': 'error',
  };
  assert.deepEqual(ruleSeverities((rule) => settings[rule]), {
    'broken-link': 'warning',
    'broken-anchor': 'off',
    'variant-link': 'info',
  });
});

test('initialization options and didChangeConfiguration settings carry the same rules', () => {
  const rules = { 'broken-link': 'error' as const };
  assert.deepEqual(initializationOptions(rules), { rules: { 'broken-link': 'error' } });
  assert.deepEqual(configurationSettings(rules), { wikils: { rules: { 'broken-link': 'error' } } });
});

test('every rule the server knows is a setting in package.json', () => {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const manifest = require('../../package.json');
  const properties = Object.keys(manifest.contributes.configuration.properties);
  for (const rule of RULES) assert.ok(properties.includes(`wikils.rules.${rule}`), rule);
});

test('server settings restart the server; rule settings are sent to the running one', () => {
  assert.equal(reactionToChange((section) => section === 'wikils.server'), 'restart');
  assert.equal(reactionToChange((section) => section === 'wikils.rules'), 'notify');
  assert.equal(reactionToChange(() => false), 'none');
});
