--[[
register-anchors.lua: an anchor for every register figure, named by its id.

The citing tools (`bolero-evidence cite`) link a figure as
`index.html#<register id>`. A table cell whose whole text is a register id
(`orr.local.everolimus`: lower-case words joined by dots, and present in
report/generated/register.csv, the register the build writes from the saved
notebooks) becomes a Span with that id holding the id as Code: an anchor in
the HTML and, in the PDF, monospace text that never breaks (typst-header.typ
and report/typst-tables.typ box inline code). The first cell that shows an id
carries its anchor; a later cell shows the id as Code only (an HTML id is
unique).

Run after the embeds are resolved: by Quarto (_quarto.yml `filters:`) and by
the fallback after embed.lua (report/fallback/ast.yaml).
]]

local ID_PATTERN = "^[a-z0-9_]+%.[a-z0-9_.]+$"

local register = nil -- id -> true
local anchored = {} -- id -> true once a cell carries its anchor

local function load_register()
  if register then
    return register
  end
  register = {}
  -- A project without a register (the renderer's test fixture) has no ids to anchor;
  -- the build writes the real project's register before it renders.
  local handle = io.open("report/generated/register.csv", "r")
  if not handle then
    return register
  end
  for line in handle:lines() do
    local id = line:match("^([^,]+),")
    if id and id ~= "id" then
      register[id] = true
    end
  end
  handle:close()
  return register
end

-- Each dot-separated part is a run of [a-z0-9_]: no empty part, no trailing dot.
local function looks_like_id(text)
  if not text:match(ID_PATTERN) or text:find("%.%.") or text:find("%.$") then
    return false
  end
  return true
end

-- The text of a cell, from its Str and Code elements only: embed.lua may have
-- split a long id into pieces with `<wbr>` raw HTML between them.
-- Only a cell holding one Plain of Str, Code and RawInline elements can be an id; checking that first, by
-- type, spares the walk (a round trip per element) on the thousands of other cells of the appendix tables
-- (about 0.5 s of the whole report's render, issue 14).
local function may_be_id(cell)
  local blocks = cell.contents
  if #blocks ~= 1 or blocks[1].t ~= "Plain" then
    return false
  end
  for _, inline in ipairs(blocks[1].content) do
    local kind = inline.t
    if kind ~= "Str" and kind ~= "Code" and kind ~= "RawInline" then
      return false
    end
  end
  return true
end

local function cell_text(cell)
  if not may_be_id(cell) then
    return nil
  end
  local pieces, other = {}, false
  cell.contents:walk({
    Str = function(str)
      pieces[#pieces + 1] = str.text
    end,
    Code = function(code)
      pieces[#pieces + 1] = code.text
    end,
    Space = function()
      other = true
    end,
    SoftBreak = function()
      other = true
    end,
  })
  return not other and table.concat(pieces) or nil
end

local function anchor(id)
  local code = pandoc.Code(id)
  if anchored[id] then
    return code
  end
  anchored[id] = true
  return pandoc.Span({ code }, { id = id, class = "register-id" })
end

local function mark_cell(cell)
  local text = cell_text(cell)
  if text and looks_like_id(text) and load_register()[text] then
    cell.contents = { pandoc.Plain({ anchor(text) }) }
  end
end

local function mark_rows(rows)
  for _, row in ipairs(rows) do
    for _, cell in ipairs(row.cells) do
      mark_cell(cell)
    end
  end
end

-- Cells are not elements a filter can walk to, so the table's rows are visited in reading order.
local function Table(tbl)
  mark_rows(tbl.head.rows)
  for _, body in ipairs(tbl.bodies) do
    mark_rows(body.head)
    mark_rows(body.body)
  end
  mark_rows(tbl.foot.rows)
  return tbl
end

return { { Table = Table } }
