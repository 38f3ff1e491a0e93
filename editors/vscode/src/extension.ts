// The VS Code side of wikils: start the server, pass settings, offer restart and output.
// Decisions live in ./settings, where they are unit-tested.

import * as fs from 'fs';
import * as os from 'os';
import * as vscode from 'vscode';
import {
  DidChangeConfigurationNotification,
  LanguageClient,
  LanguageClientOptions,
  ServerOptions,
} from 'vscode-languageclient/node';
import {
  configurationSettings,
  initializationOptions,
  reactionToChange,
  resolveServer,
  Rule,
  RuleSeverities,
  ruleSeverities,
  serverArgs,
} from './settings';

let client: LanguageClient | undefined;
let output: vscode.OutputChannel;

export async function activate(context: vscode.ExtensionContext): Promise<void> {
  output = vscode.window.createOutputChannel('wikils');
  context.subscriptions.push(
    output,
    vscode.commands.registerCommand('wikils.restartServer', () => restart(context)),
    vscode.commands.registerCommand('wikils.showOutput', () => output.show(true)),
    vscode.workspace.onDidChangeConfiguration((event) => onConfigurationChanged(event, context)),
  );
  await start(context);
}

export async function deactivate(): Promise<void> {
  await stop();
}

function currentRules(): RuleSeverities {
  const configuration = vscode.workspace.getConfiguration('wikils');
  return ruleSeverities((rule: Rule) => configuration.get(`rules.${rule}`));
}

function isExecutableFile(file: string): boolean {
  try {
    fs.accessSync(file, fs.constants.X_OK);
    return fs.statSync(file).isFile();
  } catch {
    return false;
  }
}

async function start(context: vscode.ExtensionContext): Promise<void> {
  const configuration = vscode.workspace.getConfiguration('wikils');
  const resolution = resolveServer({
    configured: configuration.get<string>('server.path'),
    extensionPath: context.extensionPath,
    platform: process.platform,
    envPath: process.env.PATH,
    homeDir: os.homedir(),
    workspaceFolder: vscode.workspace.workspaceFolders?.[0]?.uri.fsPath,
    isExecutableFile,
  });
  if (!resolution.ok) {
    output.appendLine(`${resolution.message}\nLooked in:\n  ${resolution.tried.join('\n  ')}`);
    const choice = await vscode.window.showErrorMessage(resolution.message, 'Open Settings', 'Show Output');
    if (choice === 'Open Settings') {
      await vscode.commands.executeCommand('workbench.action.openSettings', 'wikils.server.path');
    } else if (choice === 'Show Output') {
      output.show(true);
    }
    return;
  }

  const args = serverArgs(configuration.get('server.extraArgs'));
  output.appendLine(`Starting ${resolution.command} ${args.join(' ')} (found via ${resolution.source})`);
  const serverOptions: ServerOptions = { command: resolution.command, args };
  const clientOptions: LanguageClientOptions = {
    documentSelector: [
      { scheme: 'file', language: 'markdown' },
      { scheme: 'file', language: 'wikitext' },
    ],
    initializationOptions: initializationOptions(currentRules()),
    outputChannel: output,
    synchronize: {
      fileEvents: vscode.workspace.createFileSystemWatcher('**/{*.md,*.wiki,*.wikitext,*.mediawiki,wikils.toml}'),
    },
  };
  // The id `wikils` makes the client read `wikils.trace.server` by itself.
  client = new LanguageClient('wikils', 'wikils', serverOptions, clientOptions);
  try {
    await client.start();
  } catch (error) {
    output.appendLine(`wikils: the server failed to start: ${String(error)}`);
    void vscode.window.showErrorMessage(`wikils: the server failed to start (${resolution.command}).`, 'Show Output')
      .then((choice) => choice && output.show(true));
  }
}

async function stop(): Promise<void> {
  const running = client;
  client = undefined;
  if (running === undefined) return;
  try {
    await running.stop();
  } catch (error) {
    output.appendLine(`wikils: stopping the server failed: ${String(error)}`);
  }
}

async function restart(context: vscode.ExtensionContext): Promise<void> {
  await stop();
  await start(context);
}

async function onConfigurationChanged(event: vscode.ConfigurationChangeEvent, context: vscode.ExtensionContext) {
  switch (reactionToChange((section) => event.affectsConfiguration(section))) {
    case 'restart':
      await restart(context);
      break;
    case 'notify':
      if (client?.isRunning()) {
        await client.sendNotification(DidChangeConfigurationNotification.type, {
          settings: configurationSettings(currentRules()),
        });
      }
      break;
    case 'none':
      break;
  }
}
