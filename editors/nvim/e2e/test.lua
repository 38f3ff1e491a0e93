-- End-to-end test of the wikils Neovim plugin against the real server, in headless Neovim.
-- Env: WIKILS (server binary), FIXTURE (folder made by editors/e2e/make-fixture.sh),
-- WIKILS_NVIM_MODE = 'enable' (0.11: lsp/wikils.lua + vim.lsp.enable) or 'setup' (0.10 API).
-- Steps: filetypes, attach and root, diagnostics and rule severity, definition, completion, hover,
-- references, the backlinks code lens (refreshed by the plugin), folding (vim.g.wikils_folding),
-- semantic tokens, a second buffer on the same client, the quick fix that creates a missing page,
-- rename of a page (file moved, links rewritten), shutdown. E2E_SELF_TEST=1: steps the stand-in server cannot answer say so and skip.
-- Prints one line per step; exits with `cquit 1` naming the failed step, or `qall!` on success.
-- (`cquit`/`qall` stop the server; `os.exit` could leave it running.)

local wikils_bin = assert(vim.env.WIKILS, 'WIKILS unset')
local fixture = assert(vim.env.FIXTURE, 'FIXTURE unset')
local mode = vim.env.WIKILS_NVIM_MODE or 'enable'
-- Whether a server that ignores the rule settings fails the test (editors/run-e2e.sh --self-test
-- sets it); otherwise that is only reported, as the client's part is done once it sends them.
local strict_rules = vim.env.E2E_STRICT_RULES == '1'
local STEP_TIMEOUT_MS = tonumber(vim.env.STEP_TIMEOUT_MS or '') or 30000
local t0 = vim.uv.hrtime()

local function say(line)
  io.stdout:write(('[nvim %s %5.0fms] %s\n'):format(mode, (vim.uv.hrtime() - t0) / 1e6, line))
end

local function finish(ok)
  for _, client in ipairs(vim.lsp.get_clients()) do
    client:stop()
  end
  vim.wait(3000, function()
    return #vim.lsp.get_clients() == 0
  end, 20)
  say(ok and 'RESULT PASS' or 'RESULT FAIL')
  vim.cmd(ok and 'qall!' or 'cquit 1')
end

local function fail(step, why)
  say(('FAIL [%s]: %s'):format(step, why))
  finish(false)
  error('unreachable') -- cquit does not return in practice; never run the steps after a failure
end

local failed = {}

-- Runs one step. A fatal step ends the test when it fails; the others are recorded and the test
-- goes on, so one run reports every broken feature.
local function step(name, fn, opts)
  local ok, err = pcall(fn)
  if ok then
    return true
  end
  local why = tostring(err):gsub('^[^\n]-%.lua:%d+: ', '')
  if opts and opts.fatal then
    fail(name, why)
  end
  failed[#failed + 1] = name
  say(('FAIL [%s]: %s'):format(name, why))
  return false
end

local function wikils_client(bufnr)
  return vim.lsp.get_clients({ bufnr = bufnr, name = 'wikils' })[1]
end

local function line_of(bufnr, needle)
  for i, line in ipairs(vim.api.nvim_buf_get_lines(bufnr, 0, -1, false)) do
    local col = line:find(needle, 1, true)
    if col then
      return i, col -- 1-based line, 1-based byte column
    end
  end
  error('fixture has no ' .. needle)
end

local function require_capability(client, method, capability)
  if not client then
    error('no wikils client is attached to A.md any more')
  end
  if not client:supports_method(method) then
    error(('the server does not support %s (no %s in its capabilities: %s)'):format(
      method,
      capability,
      vim.inspect(client.server_capabilities, { newline = ' ', indent = '' })
    ))
  end
end

-- Requests `method` until `accept(result)` is true or the step time runs out: the server may
-- still be indexing when the first request arrives.
local function request_until(bufnr, method, params_fn, accept)
  local deadline = vim.uv.now() + STEP_TIMEOUT_MS
  local last
  repeat
    local responses, err = vim.lsp.buf_request_sync(bufnr, method, params_fn(), 5000)
    if responses then
      for _, response in pairs(responses) do
        if response.error then
          last = 'error ' .. vim.inspect(response.error)
        else
          last = response.result
          if response.result ~= nil and accept(response.result) then
            return response.result
          end
        end
      end
    else
      last = 'no response: ' .. tostring(err)
    end
    vim.wait(300)
  until vim.uv.now() > deadline
  error(('%s: no acceptable answer within %d ms; last answer: %s'):format(
    method,
    STEP_TIMEOUT_MS,
    vim.inspect(last):sub(1, 800)
  ))
end

local page_a = fixture .. '/Page/A.md'
local page_b = fixture .. '/Page/B.md'

step('setup', function()
  vim.g.wikils_folding = true -- the plugin's opt-in: folds from the server's folding ranges
  if mode == 'enable' then
    assert(vim.lsp.config and vim.lsp.enable, 'this Neovim has no vim.lsp.config/enable (needs 0.11)')
    vim.lsp.config('wikils', {
      cmd = { wikils_bin, 'lsp', '--stdio' },
      init_options = { rules = { ['broken-link'] = 'error' } },
    })
    vim.lsp.enable('wikils')
  else
    require('wikils').setup({ cmd = { wikils_bin, 'lsp', '--stdio' }, rules = { ['broken-link'] = 'error' } })
  end
  say('plugin configured (' .. mode .. '), nvim ' .. tostring(vim.version()))
end, { fatal = true })

step('filetype', function()
  local cases = { ['x.md'] = 'markdown', ['x.wiki'] = 'mediawiki', ['x.wikitext'] = 'mediawiki', ['x.mediawiki'] = 'mediawiki' }
  for name, want in pairs(cases) do
    local got = vim.filetype.match({ filename = name })
    assert(got == want, ('%s is filetype %s, want %s'):format(name, tostring(got), want))
  end
  say('filetypes: .md markdown, .wiki/.wikitext/.mediawiki mediawiki')
end)

local buf_a
step('attach', function()
  vim.cmd.edit(vim.fn.fnameescape(page_a))
  buf_a = vim.api.nvim_get_current_buf()
  assert(vim.bo[buf_a].filetype == 'markdown', 'A.md has filetype ' .. vim.bo[buf_a].filetype)
  local attached = vim.wait(STEP_TIMEOUT_MS, function()
    local client = wikils_client(buf_a)
    return client ~= nil and client.initialized == true
  end, 20)
  assert(attached, ('no initialized wikils client on A.md within %d ms (is %s a working server?)'):format(
    STEP_TIMEOUT_MS,
    wikils_bin
  ))
  local client = wikils_client(buf_a)
  local want_root = vim.fs.normalize(vim.uv.fs_realpath(fixture))
  local got_root = client.root_dir and vim.fs.normalize(vim.uv.fs_realpath(client.root_dir) or client.root_dir)
  assert(got_root == want_root, ('root_dir is %s, want the fixture root %s'):format(tostring(got_root), want_root))
  local rules = vim.tbl_get(client, 'config', 'init_options', 'rules')
  assert(rules and rules['broken-link'] == 'error', 'init_options.rules not passed: ' .. vim.inspect(rules))
  local settings_rules = vim.tbl_get(client, 'settings', 'wikils', 'rules')
  assert(settings_rules and settings_rules['broken-link'] == 'error', 'settings.wikils.rules not set: ' .. vim.inspect(client.settings))
  say(('attached: %s, root %s'):format(client.name, got_root))
end, { fatal = true })

step('diagnostics', function()
  local missing_line = line_of(buf_a, '[Missing]')
  local b_line = line_of(buf_a, '[B]')
  local found
  local ok = vim.wait(STEP_TIMEOUT_MS, function()
    for _, d in ipairs(vim.diagnostic.get(buf_a)) do
      if d.code == 'broken-link' then
        found = d
        return true
      end
    end
    return false
  end, 20)
  if not ok then
    error(('no diagnostic with code broken-link on A.md within %d ms; diagnostics: %s'):format(
      STEP_TIMEOUT_MS,
      vim.inspect(vim.diagnostic.get(buf_a))
    ))
  end
  assert(found.source == 'wikils', 'broken-link diagnostic has source ' .. tostring(found.source))
  assert(found.lnum + 1 == missing_line, ('broken-link is on line %d, want line %d (the Missing link): %s'):format(
    found.lnum + 1,
    missing_line,
    found.message
  ))
  for _, d in ipairs(vim.diagnostic.get(buf_a)) do
    assert(not (d.code == 'broken-link' and d.lnum + 1 == b_line), 'the link to B (which exists) is reported broken')
  end
  say(('diagnostic: line %d, %s[%s] %q'):format(found.lnum + 1, found.source, found.code, found.message))
end)

step('rule severity', function()
  local got
  local has_broken_link = vim.iter(vim.diagnostic.get(buf_a)):any(function(d)
    return d.code == 'broken-link'
  end)
  if not has_broken_link then
    say('rules: skipped, no broken-link diagnostic to check the severity of')
    return
  end
  local ok = vim.wait(5000, function()
    for _, d in ipairs(vim.diagnostic.get(buf_a)) do
      if d.code == 'broken-link' then
        got = d.severity
        if d.severity == vim.diagnostic.severity.ERROR then
          return true
        end
      end
    end
    return false
  end, 20)
  local message = ('broken-link was set to error in init_options.rules; the diagnostic has severity %s'):format(
    got and vim.diagnostic.severity[got] or 'none'
  )
  if got == nil then
    say('rules: skipped, no broken-link diagnostic to check the severity of')
  elseif ok then
    say('rules: ' .. message)
  elseif strict_rules then
    error(message)
  else
    say('WARN [rule severity]: the server did not apply the rule settings: ' .. message)
  end
end)

-- The 0.10 `setup{}` path only has to show that it starts the server with the settings; the
-- features themselves are checked once, through `vim.lsp.enable`.
if mode == 'setup' then
  finish(#failed == 0)
  return
end

step('definition', function()
  local line, col = line_of(buf_a, '[B]')
  vim.api.nvim_win_set_cursor(0, { line, col }) -- on the B of [B]
  local client = wikils_client(buf_a)
  require_capability(client, 'textDocument/definition', 'definitionProvider')
  local result = request_until(buf_a, 'textDocument/definition', function()
    return vim.lsp.util.make_position_params(0, client.offset_encoding)
  end, function(r)
    return (r.uri or r.targetUri) ~= nil or (type(r) == 'table' and #r > 0)
  end)
  local loc = (result.uri or result.targetUri) and result or result[1]
  local uri = loc.uri or loc.targetUri
  assert(uri:match('/Page/B%.md$'), 'definition points to ' .. uri .. ', want .../Page/B.md')
  -- The real jump, as `gd`/`<C-]>` would do it.
  vim.lsp.buf.definition()
  local jumped = vim.wait(STEP_TIMEOUT_MS, function()
    return vim.api.nvim_buf_get_name(0):match('/Page/B%.md$') ~= nil
  end, 20)
  assert(jumped, 'vim.lsp.buf.definition() left the current buffer at ' .. vim.api.nvim_buf_get_name(0))
  say('definition: jumped to ' .. vim.fn.fnamemodify(vim.api.nvim_buf_get_name(0), ':~:.') .. ' line ' .. vim.fn.line('.'))
end)

step('completion', function()
  vim.cmd.buffer(buf_a) -- not :edit, which reloads the file and re-attaches the client later
  assert(vim.api.nvim_get_current_buf() == buf_a, 'could not go back to A.md')
  local last = vim.api.nvim_buf_line_count(buf_a)
  vim.api.nvim_buf_set_lines(buf_a, last, last, false, { '', 'See [[' })
  local client = wikils_client(buf_a)
  require_capability(client, 'textDocument/completion', 'completionProvider')
  local labels = {}
  -- Just after `[[`, where the cursor is while typing. Normal mode cannot put the cursor past the
  -- last character, so the position is written out (ASCII line: bytes = UTF-16 units).
  local params = {
    textDocument = { uri = vim.uri_from_bufnr(buf_a) },
    position = { line = last + 1, character = #'See [[' },
    context = { triggerKind = 2, triggerCharacter = '[' },
  }
  request_until(buf_a, 'textDocument/completion', function()
    return params
  end, function(r)
    labels = vim.tbl_map(function(item)
      return item.label
    end, r.items or r)
    return vim.tbl_contains(labels, 'B')
  end)
  say('completion after [[: ' .. table.concat(labels, ', '))
end)

-- editors/run-e2e.sh --self-test runs against a stand-in server that only answers diagnostics,
-- definition and completion: the steps for the other features say why they are skipped there.
local self_test = vim.env.E2E_SELF_TEST == '1'

--- True when the client supports `method`; in self-test mode a missing capability skips the step
--- (printed), otherwise it fails it.
local function supported(step_name, method, capability)
  local client = wikils_client(buf_a)
  if self_test and client and not client:supports_method(method) then
    say(('skip [%s]: self-test server has no %s'):format(step_name, capability))
    return false
  end
  require_capability(client, method, capability)
  return true
end

local function position_in(bufnr, needle, offset)
  local line, col = line_of(bufnr, needle)
  return { line = line - 1, character = col - 1 + (offset or 0) } -- ASCII prefixes: bytes = UTF-16
end

step('hover', function()
  if not supported('hover', 'textDocument/hover', 'hoverProvider') then
    return
  end
  local text
  request_until(buf_a, 'textDocument/hover', function()
    return { textDocument = { uri = vim.uri_from_bufnr(buf_a) }, position = position_in(buf_a, '[B]', 1) }
  end, function(r)
    local contents = r.contents
    text = type(contents) == 'string' and contents or contents.value or vim.inspect(contents)
    return text:find('B has a history.', 1, true) ~= nil
  end)
  assert(text:find('B.md', 1, true), 'the hover does not name the file B.md: ' .. text)
  say(('hover on [B]: %q'):format(text))
end)

local function relative(uri)
  local path = vim.uri_to_fname(uri)
  local root = vim.uv.fs_realpath(fixture)
  path = vim.uv.fs_realpath(path) or path
  return path:sub(#root + 2)
end

step('references', function()
  if not supported('references', 'textDocument/references', 'referencesProvider') then
    return
  end
  local found
  request_until(buf_a, 'textDocument/references', function()
    return {
      textDocument = { uri = vim.uri_from_bufnr(buf_a) },
      position = position_in(buf_a, '[B]', 1),
      context = { includeDeclaration = false },
    }
  end, function(r)
    found = {}
    for _, loc in ipairs(r) do
      found[#found + 1] = ('%s:%d:%d'):format(relative(loc.uri), loc.range.start.line + 1, loc.range.start.character)
    end
    table.sort(found)
    return #found > 0
  end)
  local want = { 'Main.wiki:2:4', 'Page/A.md:3:11' }
  assert(vim.deep_equal(found, want), ('references of B: %s, want %s'):format(vim.inspect(found), vim.inspect(want)))
  say('references of B: ' .. table.concat(found, ', '))
end)

step('code lens', function()
  if not supported('code lens', 'textDocument/codeLens', 'codeLensProvider') then
    return
  end
  -- No refresh here: the plugin's LspAttach autocmd asks for lenses on BufEnter.
  vim.cmd.edit(vim.fn.fnameescape(page_b))
  local buf_b = vim.api.nvim_get_current_buf()
  local titles
  local ok = vim.wait(STEP_TIMEOUT_MS, function()
    titles = {}
    for _, lens in ipairs(vim.lsp.codelens.get(buf_b)) do
      if lens.command then
        titles[#titles + 1] = ('%d:%s'):format(lens.range.start.line + 1, lens.command.title)
      end
    end
    return #titles > 0
  end, 50)
  assert(ok, ('no code lens on B.md within %d ms (the plugin refreshes them on BufEnter)'):format(STEP_TIMEOUT_MS))
  assert(vim.deep_equal(titles, { '1:2 backlinks' }), 'code lenses of B.md: ' .. vim.inspect(titles) .. ", want { '1:2 backlinks' }")
  say('code lens on B.md: ' .. table.concat(titles, ', '))
end)

step('folding', function()
  if not supported('folding', 'textDocument/foldingRange', 'foldingRangeProvider') then
    return
  end
  vim.cmd.edit(vim.fn.fnameescape(page_b))
  local history = line_of(0, '## 歷史')
  assert(vim.wo.foldmethod == 'expr' and vim.wo.foldexpr == 'v:lua.vim.lsp.foldexpr()',
    ('vim.g.wikils_folding is set but the window has foldmethod=%s foldexpr=%s'):format(vim.wo.foldmethod, vim.wo.foldexpr))
  local levels
  local ok = vim.wait(STEP_TIMEOUT_MS, function()
    levels = {}
    for l = 1, vim.api.nvim_buf_line_count(0) do
      levels[l] = vim.fn.foldlevel(l)
    end
    return levels[history] == 2
  end, 50)
  assert(ok, ('the ## 歷史 section (line %d) has no fold level 2; levels by line: %s'):format(history, vim.inspect(levels)))
  say('folds of B.md (level by line): ' .. table.concat(levels, ' '))
end)

step('semantic tokens', function()
  if not supported('semantic tokens', 'textDocument/semanticTokens/full', 'semanticTokensProvider') then
    return
  end
  vim.cmd.buffer(buf_a)
  local pos = position_in(buf_a, '[B]', 1)
  local types
  local ok = vim.wait(STEP_TIMEOUT_MS, function()
    types = {}
    for _, token in ipairs(vim.lsp.semantic_tokens.get_at_pos(buf_a, pos.line, pos.character) or {}) do
      types[#types + 1] = token.type
    end
    return #types > 0
  end, 50)
  assert(ok, 'no semantic token on the link [B] of A.md')
  assert(vim.deep_equal(types, { 'class' }), 'semantic tokens on [B]: ' .. vim.inspect(types) .. ", want { 'class' }")
  say('semantic token on [B]: ' .. table.concat(types, ', '))
end)

step('mediawiki buffer', function()
  vim.cmd.edit(vim.fn.fnameescape(fixture .. '/Main.wiki'))
  local buf = vim.api.nvim_get_current_buf()
  assert(vim.bo[buf].filetype == 'mediawiki', 'Main.wiki has filetype ' .. vim.bo[buf].filetype)
  local attached = vim.wait(STEP_TIMEOUT_MS, function()
    return wikils_client(buf) ~= nil
  end, 20)
  assert(attached, 'no wikils client attached to Main.wiki (filetype mediawiki)')
  assert(wikils_client(buf).id == wikils_client(buf_a).id, 'Main.wiki got a second wikils client instead of sharing the root')
  vim.cmd.buffer(buf_a)
  say('Main.wiki (mediawiki) attached to the same client')
end)

step('quick fix', function()
  if not supported('quick fix', 'textDocument/codeAction', 'codeActionProvider') then
    return
  end
  vim.cmd.buffer(buf_a)
  local line, col = line_of(buf_a, '[Missing]')
  vim.api.nvim_win_set_cursor(0, { line, col }) -- on the M of [Missing]
  local missing = fixture .. '/Page/Missing.md'
  local titles = {}
  -- As `gra` does, with the choice made by a filter: the one action that creates the page.
  vim.lsp.buf.code_action({
    apply = true,
    filter = function(action)
      titles[#titles + 1] = action.title
      return action.title == 'Create page `Missing` at `Page/Missing.md`'
    end,
  })
  local created = vim.wait(STEP_TIMEOUT_MS, function()
    local bufnr = vim.fn.bufnr(missing)
    return bufnr ~= -1 and vim.api.nvim_buf_get_lines(bufnr, 0, 1, false)[1] == '# Missing'
  end, 50)
  if not created then
    local bufnr = vim.fn.bufnr(missing)
    error(('the quick fix did not make a buffer Page/Missing.md with the title # Missing within %d ms; actions offered: %s; on disk: %s; buffer: %s'):format(
      STEP_TIMEOUT_MS,
      vim.inspect(titles),
      tostring(vim.uv.fs_stat(missing) ~= nil),
      bufnr == -1 and 'none' or vim.inspect(vim.api.nvim_buf_get_lines(bufnr, 0, -1, false))
    ))
  end
  -- Neovim makes the new page a buffer (CreateFile with ignoreIfExists); saving puts it on disk.
  vim.api.nvim_buf_call(vim.fn.bufnr(missing), function()
    vim.cmd('silent write')
  end)
  assert(vim.fn.readfile(missing)[1] == '# Missing', 'Page/Missing.md on disk after :write: ' .. vim.inspect(vim.fn.readfile(missing)))
  -- Not asserted: whether A.md's broken-link diagnostic goes away by itself. Neovim reports no
  -- file creation on Linux (no didChangeWatchedFiles registration); the server learns of the page
  -- from the didOpen of its buffer but (2026-11) re-checks A.md only when A.md changes. Say so.
  local fixed = vim.wait(3000, function()
    return not vim.iter(vim.diagnostic.get(buf_a)):any(function(d)
      return d.code == 'broken-link'
    end)
  end, 50)
  if not fixed then
    say('note [quick fix]: A.md still shows broken-link for Missing 3 s after Page/Missing.md was created, opened and saved')
  end
  say('quick fix: "Create page `Missing` at `Page/Missing.md`" made Page/Missing.md (# Missing), saved')
end)

step('rename', function()
  if not supported('rename', 'textDocument/rename', 'renameProvider') then
    return
  end
  vim.cmd.buffer(buf_a)
  local line, col = line_of(buf_a, '[B]')
  vim.api.nvim_win_set_cursor(0, { line, col }) -- on the B of [B]
  local new_file = fixture .. '/Page/C_新.md'
  -- As `grn` does, with the name given instead of typed.
  vim.lsp.buf.rename('C 新')
  local moved = vim.wait(STEP_TIMEOUT_MS, function()
    return vim.uv.fs_stat(new_file) ~= nil and vim.uv.fs_stat(page_b) == nil
  end, 50)
  assert(moved, ('rename of B to "C 新" did not move Page/B.md to Page/C_新.md within %d ms (B.md exists: %s; messages: %s)'):format(
    STEP_TIMEOUT_MS,
    tostring(vim.uv.fs_stat(page_b) ~= nil),
    vim.trim(vim.api.nvim_exec2('messages', { output = true }).output)
  ))
  local function lines_of(path)
    local bufnr = vim.fn.bufnr(path)
    assert(bufnr ~= -1, 'no buffer for ' .. path)
    return vim.api.nvim_buf_get_lines(bufnr, 0, -1, false)
  end
  local a = lines_of(page_a)
  assert(a[3] == 'A links to [B](../Page/C_新.md "wikilink").', 'A.md line 3 after the rename: ' .. a[3])
  local main = lines_of(fixture .. '/Main.wiki')
  assert(main[2] == 'See [[C 新]] and {{Template}}. <!-- a comment -->', 'Main.wiki line 2 after the rename: ' .. main[2])
  local c = lines_of(new_file)
  assert(c[1] == '# C 新', 'the moved page keeps its title heading: ' .. c[1])
  -- Saving writes the rewritten links to disk.
  vim.cmd('silent wall')
  local on_disk = vim.fn.readfile(fixture .. '/Main.wiki')
  assert(on_disk[2] == main[2], 'Main.wiki on disk after :wall: ' .. tostring(on_disk[2]))
  say(('rename B -> C 新: Page/C_新.md, A.md %q, Main.wiki %q, title %q'):format(a[3], main[2], c[1]))
end)

step('shutdown', function()
  local client = wikils_client(buf_a)
  client:stop()
  assert(
    vim.wait(5000, function()
      return client:is_stopped()
    end, 20),
    'the server did not stop within 5 s of shutdown/exit'
  )
  say('server stopped')
end)

if #failed > 0 then
  say('failed steps: ' .. table.concat(failed, ', '))
end
finish(#failed == 0)
