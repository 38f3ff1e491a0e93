-- Neovim already calls `*.wiki` and `*.mw` `mediawiki`; give the other MediaWiki extensions the
-- same filetype so they get its syntax highlighting and the wikils server.
vim.filetype.add({
  extension = {
    wikitext = 'mediawiki',
    mediawiki = 'mediawiki',
  },
})
