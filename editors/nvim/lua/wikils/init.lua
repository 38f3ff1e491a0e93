-- wikils for Neovim: the server configuration shared by `lsp/wikils.lua` (Neovim 0.11+,
-- `vim.lsp.enable('wikils')`) and `require('wikils').setup{}` (Neovim 0.10, `vim.lsp.start`).
local M = {}

M.filetypes = { 'markdown', 'mediawiki', 'wikitext' }

-- Nearest first within each group; a `wikils.toml` anywhere above beats a `Page/` folder, which
-- beats the enclosing git repository.
M.root_markers = { { 'wikils.toml' }, { 'Page' }, { '.git' } }

M.rules = {
  'broken-link',
  'broken-anchor',
  'variant-link',
  'ambiguous-link',
  'broken-redirect',
  'local-page-linked-as-url',
  'unclosed-link',
  'unclosed-template',
  'duplicate-category',
}

--- The workspace root for a buffer, or its file's folder when no marker is found.
---@param bufnr integer
---@return string?
function M.root_dir(bufnr)
  for _, markers in ipairs(M.root_markers) do
    local root = vim.fs.root(bufnr, markers)
    if root then
      return root
    end
  end
  local name = vim.api.nvim_buf_get_name(bufnr)
  if name == '' then
    return nil
  end
  return vim.fs.dirname(name)
end

--- The server configuration. `opts.rules` maps rule names to error|warning|info|hint|off; it is
--- sent as `initializationOptions.rules` and as the `wikils.rules` settings.
---@param opts? { cmd?: string[], rules?: table<string, string>, filetypes?: string[] }
---@return table
function M.config(opts)
  opts = opts or {}
  local rules = vim.deepcopy(opts.rules or {})
  return {
    cmd = opts.cmd or { 'wikils', 'lsp', '--stdio' },
    filetypes = opts.filetypes or M.filetypes,
    init_options = { rules = rules },
    settings = { wikils = { rules = rules } },
    -- Neovim applies `documentChanges` (with file renames, creations and deletions) but does not
    -- say so; the server sends a page rename as a file move plus link edits only to clients that
    -- declare it, and otherwise leaves the file where it is.
    capabilities = { workspace = { workspaceEdit = { documentChanges = true } } },
    -- Whatever the user put in `settings.wikils.rules` and `init_options.rules` ends up in both,
    -- so the server sees the same rules at startup and on `workspace/didChangeConfiguration`.
    before_init = function(params, config)
      local merged = vim.tbl_extend(
        'force',
        vim.tbl_get(config, 'settings', 'wikils', 'rules') or {},
        vim.tbl_get(config, 'init_options', 'rules') or {}
      )
      params.initializationOptions = vim.tbl_extend('force', params.initializationOptions or {}, { rules = merged })
      -- In place: the client keeps a reference to this table and sends it on
      -- workspace/didChangeConfiguration right after `initialized`.
      config.settings = config.settings or {}
      config.settings.wikils = config.settings.wikils or {}
      config.settings.wikils.rules = merged
    end,
  }
end

--- Buffer-local extras for a buffer the wikils client attached to (called from the plugin's
--- LspAttach autocmd): code lens refresh (opt out: `vim.g.wikils_codelens = false`) and, with
--- `vim.g.wikils_folding = true` on Neovim 0.11+, folds from the server's folding ranges.
---@param client vim.lsp.Client
---@param bufnr integer
function M.on_attach(client, bufnr)
  if vim.g.wikils_codelens ~= false and client.server_capabilities.codeLensProvider then
    local group = vim.api.nvim_create_augroup('wikils.codelens.' .. bufnr, { clear = true })
    local function refresh()
      if vim.api.nvim_buf_is_valid(bufnr) then
        vim.lsp.codelens.refresh({ bufnr = bufnr })
      end
    end
    vim.api.nvim_create_autocmd({ 'BufEnter', 'InsertLeave', 'BufWritePost' }, {
      group = group,
      buffer = bufnr,
      callback = refresh,
    })
    vim.api.nvim_create_autocmd('LspDetach', {
      group = group,
      buffer = bufnr,
      callback = function(args)
        if args.data and args.data.client_id == client.id then
          pcall(vim.api.nvim_del_augroup_by_id, group)
        end
      end,
    })
    refresh()
  end
  if vim.g.wikils_folding == true and vim.lsp.foldexpr and client.server_capabilities.foldingRangeProvider then
    local function fold(win)
      vim.wo[win][0].foldmethod = 'expr'
      vim.wo[win][0].foldexpr = 'v:lua.vim.lsp.foldexpr()'
    end
    for _, win in ipairs(vim.fn.win_findbuf(bufnr)) do
      fold(win)
    end
    vim.api.nvim_create_autocmd('BufWinEnter', {
      group = vim.api.nvim_create_augroup('wikils.folding.' .. bufnr, { clear = true }),
      buffer = bufnr,
      callback = function()
        fold(vim.api.nvim_get_current_win())
      end,
    })
  end
end

--- Neovim 0.10: start (or reuse) the wikils client for wiki buffers.
---@param opts? { cmd?: string[], rules?: table<string, string>, filetypes?: string[], on_attach?: function, capabilities?: table }
function M.setup(opts)
  opts = opts or {}
  local config = M.config(opts)
  local group = vim.api.nvim_create_augroup('wikils', { clear = true })
  local function attach(bufnr)
    if vim.bo[bufnr].buftype ~= '' then
      return
    end
    local start_config = vim.tbl_extend('force', config, {
      name = 'wikils',
      root_dir = M.root_dir(bufnr),
      on_attach = opts.on_attach,
      capabilities = vim.tbl_deep_extend('force', config.capabilities, opts.capabilities or {}),
    })
    vim.lsp.start(start_config, { bufnr = bufnr })
  end
  vim.api.nvim_create_autocmd('FileType', {
    group = group,
    pattern = config.filetypes,
    callback = function(args)
      attach(args.buf)
    end,
  })
  -- Buffers that were already open when setup ran.
  for _, bufnr in ipairs(vim.api.nvim_list_bufs()) do
    if vim.api.nvim_buf_is_loaded(bufnr) and vim.tbl_contains(config.filetypes, vim.bo[bufnr].filetype) then
      attach(bufnr)
    end
  end
end

return M
