//! Zed extension for wikils: starts `wikils lsp --stdio` for Markdown buffers and passes the
//! `lsp.wikils` settings on (`binary.path`/`binary.arguments`, `initialization_options`, `settings`).

use zed_extension_api::{self as zed, serde_json, settings::LspSettings, LanguageServerId, Result, Worktree};

struct WikilsExtension;

impl zed::Extension for WikilsExtension {
    fn new() -> Self {
        WikilsExtension
    }

    fn language_server_command(&mut self, _id: &LanguageServerId, worktree: &Worktree) -> Result<zed::Command> {
        let binary = LspSettings::for_worktree("wikils", worktree).ok().and_then(|settings| settings.binary);
        let configured_path = binary.as_ref().and_then(|binary| binary.path.clone());
        let command = match configured_path.or_else(|| worktree.which("wikils")) {
            Some(command) => command,
            None => {
                return Err("wikils: `wikils` is not on PATH; install it (`cargo install --path .` in the wikils \
                            repository) or set lsp.wikils.binary.path in Zed's settings"
                    .to_string())
            }
        };
        let args = binary
            .and_then(|binary| binary.arguments)
            .unwrap_or_else(|| vec!["lsp".to_string(), "--stdio".to_string()]);
        Ok(zed::Command { command, args, env: worktree.shell_env() })
    }

    fn language_server_initialization_options(
        &mut self,
        _id: &LanguageServerId,
        worktree: &Worktree,
    ) -> Result<Option<serde_json::Value>> {
        Ok(LspSettings::for_worktree("wikils", worktree).ok().and_then(|settings| settings.initialization_options))
    }

    fn language_server_workspace_configuration(
        &mut self,
        _id: &LanguageServerId,
        worktree: &Worktree,
    ) -> Result<Option<serde_json::Value>> {
        let settings = LspSettings::for_worktree("wikils", worktree).ok().and_then(|settings| settings.settings);
        Ok(settings.map(|settings| serde_json::json!({ "wikils": settings })))
    }
}

zed::register_extension!(WikilsExtension);
