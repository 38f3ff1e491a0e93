-- wikils for Neovim: what a wikils client gets in each buffer it attaches to, with no user setup
-- (for both `vim.lsp.enable('wikils')` and `require('wikils').setup{}`):
-- - code lenses ("N backlinks" on a page's title), refreshed on BufEnter, InsertLeave and after
--   writing; opt out with `vim.g.wikils_codelens = false`;
-- - folding through the server's folding ranges (`vim.lsp.foldexpr`, Neovim 0.11+) when
--   `vim.g.wikils_folding = true` (off by default: it replaces the window's 'foldmethod').
-- Semantic tokens, hover (K), references (grr), rename (grn) and code actions (gra) need nothing.
if vim.g.loaded_wikils then
  return
end
vim.g.loaded_wikils = true

vim.api.nvim_create_autocmd('LspAttach', {
  group = vim.api.nvim_create_augroup('wikils.attach', { clear = true }),
  callback = function(args)
    local client = vim.lsp.get_client_by_id(args.data.client_id)
    if client and client.name == 'wikils' then
      require('wikils').on_attach(client, args.buf)
    end
  end,
})
