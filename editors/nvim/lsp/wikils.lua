-- Neovim 0.11+: `vim.lsp.enable('wikils')`. Override with `vim.lsp.config('wikils', {...})`,
-- e.g. `{ cmd = { '/path/to/wikils', 'lsp', '--stdio' }, init_options = { rules = { ['broken-link'] = 'warning' } } }`.
local wikils = require('wikils')
local config = wikils.config()
config.root_dir = function(bufnr, on_dir)
  local root = wikils.root_dir(bufnr)
  if root then
    on_dir(root)
  end
end
return config
