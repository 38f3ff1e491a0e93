// Pure helpers behind the extension: where the server binary is, how it is started, and what
// settings it is sent. Nothing here imports `vscode`, so `node --test` can check all of it.

import * as path from 'path';

export const RULES = [
  'broken-link',
  'broken-anchor',
  'variant-link',
  'ambiguous-link',
  'broken-redirect',
  'local-page-linked-as-url',
  'unclosed-link',
  'unclosed-template',
  'duplicate-category',
] as const;
export type Rule = (typeof RULES)[number];

export const SEVERITIES = ['error', 'warning', 'info', 'hint', 'off'] as const;
export type Severity = (typeof SEVERITIES)[number];

export type RuleSeverities = Partial<Record<Rule, Severity>>;

/** What the server is told at `initialize` (`initializationOptions`). */
export interface InitializationOptions {
  rules: RuleSeverities;
}

/** The body of `workspace/didChangeConfiguration`: `{ settings: { wikils: … } }`. */
export interface ConfigurationSettings {
  wikils: { rules: RuleSeverities };
}

export type ServerSource = 'setting' | 'bundled' | 'path';

export type ServerResolution =
  | { ok: true; command: string; source: ServerSource }
  | { ok: false; source: ServerSource; tried: string[]; message: string };

export interface ResolveServerInput {
  /** `wikils.server.path`, as the user wrote it (may be empty). */
  configured: string | undefined;
  /** The extension's install folder; a bundled binary lives in `<extensionPath>/server/`. */
  extensionPath: string;
  platform: NodeJS.Platform;
  /** `PATH` of the extension host. */
  envPath: string | undefined;
  homeDir: string;
  workspaceFolder: string | undefined;
  isExecutableFile: (file: string) => boolean;
}

export function binaryName(platform: NodeJS.Platform): string {
  return platform === 'win32' ? 'wikils.exe' : 'wikils';
}

/** Expands a leading `~` and `${workspaceFolder}`; relative paths are taken from the workspace folder. */
export function expandConfiguredPath(configured: string, homeDir: string, workspaceFolder: string | undefined): string {
  let expanded = configured.trim();
  if (expanded === '~' || expanded.startsWith('~/')) {
    expanded = path.join(homeDir, expanded.slice(1));
  }
  if (workspaceFolder !== undefined) {
    expanded = expanded.split('${workspaceFolder}').join(workspaceFolder);
    if (!path.isAbsolute(expanded) && expanded.includes('/')) {
      expanded = path.join(workspaceFolder, expanded);
    }
  }
  return expanded;
}

/** Every place `name` would be found on `envPath`, in order. */
export function pathCandidates(name: string, envPath: string | undefined, platform: NodeJS.Platform): string[] {
  const separator = platform === 'win32' ? ';' : ':';
  return (envPath ?? '')
    .split(separator)
    .filter((folder) => folder.length > 0)
    .map((folder) => path.join(folder, name));
}

/**
 * The server binary: the `wikils.server.path` setting when set, else the binary bundled under
 * the extension's `server/` folder, else `wikils` on `PATH`.
 */
export function resolveServer(input: ResolveServerInput): ServerResolution {
  const name = binaryName(input.platform);
  const configured = input.configured?.trim() ?? '';
  if (configured.length > 0) {
    const expanded = expandConfiguredPath(configured, input.homeDir, input.workspaceFolder);
    // A bare name like `wikils` is looked up on PATH, as a shell would.
    const tried = expanded.includes('/') || expanded.includes('\\')
      ? [expanded]
      : pathCandidates(expanded, input.envPath, input.platform);
    const found = tried.find(input.isExecutableFile);
    if (found !== undefined) return { ok: true, command: found, source: 'setting' };
    return {
      ok: false,
      source: 'setting',
      tried,
      message: `wikils: the server binary set in "wikils.server.path" (${configured}) was not found or is not executable.`,
    };
  }
  const bundled = path.join(input.extensionPath, 'server', name);
  if (input.isExecutableFile(bundled)) return { ok: true, command: bundled, source: 'bundled' };
  const tried = pathCandidates(name, input.envPath, input.platform);
  const found = tried.find(input.isExecutableFile);
  if (found !== undefined) return { ok: true, command: found, source: 'path' };
  return {
    ok: false,
    source: 'path',
    tried: [bundled, ...tried],
    message:
      'wikils: cannot find the wikils server. Install it (`cargo install --path .` in the wikils repository) ' +
      'so that `wikils` is on PATH, or set "wikils.server.path".',
  };
}

/** The server's command-line arguments: `lsp --stdio`, then the user's extra arguments. */
export function serverArgs(extraArgs: unknown): string[] {
  const extra = Array.isArray(extraArgs) ? extraArgs.filter((arg): arg is string => typeof arg === 'string') : [];
  return ['lsp', '--stdio', ...extra];
}

export function isSeverity(value: unknown): value is Severity {
  return typeof value === 'string' && (SEVERITIES as readonly string[]).includes(value);
}

/**
 * The rule severities the user set. `read(rule)` returns the value of `wikils.rules.<rule>`;
 * unset, empty and unknown values are left out, so the server keeps `wikils.toml` or its default.
 */
export function ruleSeverities(read: (rule: Rule) => unknown): RuleSeverities {
  const rules: RuleSeverities = {};
  for (const rule of RULES) {
    const value = read(rule);
    const normalized = value === 'information' ? 'info' : value;
    if (isSeverity(normalized)) rules[rule] = normalized;
  }
  return rules;
}

export function initializationOptions(rules: RuleSeverities): InitializationOptions {
  return { rules: { ...rules } };
}

export function configurationSettings(rules: RuleSeverities): ConfigurationSettings {
  return { wikils: { rules: { ...rules } } };
}

/** What a change of settings asks for: a new server process, a settings notification, or nothing. */
export function reactionToChange(affects: (section: string) => boolean): 'restart' | 'notify' | 'none' {
  if (affects('wikils.server')) return 'restart';
  if (affects('wikils.rules')) return 'notify';
  return 'none';
}
