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

-- Only a cell holding one Plain of Str, Code and RawInline elements can be an id (embed.lua may have split a
-- long id into pieces with `<wbr>` raw HTML between them).
local function only_text(cell)
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

-- The register id a cell shows, or nil. The cell's text comes from pandoc.utils.stringify (raw inlines
-- give no text), and the cell's elements are looked at only when that text is an id: reading the
-- elements of each of the thousands of cells of the appendix tables from Lua took most of this filter's
-- time (issue 14).
local function cell_id(cell)
  local text = pandoc.utils.stringify(cell.contents)
  if looks_like_id(text) and load_register()[text] and only_text(cell) then
    return text
  end
  return nil
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
  local id = cell_id(cell)
  if id then
    cell.contents = { pandoc.Plain({ anchor(id) }) }
    return true
  end
  return false
end

local function mark_rows(rows)
  local marked = false
  for _, row in ipairs(rows) do
    for _, cell in ipairs(row.cells) do
      marked = mark_cell(cell) or marked
    end
  end
  return marked
end

-- Cells are not elements a filter can walk to, so the table's rows are visited in reading order.
-- A table without an id is left as it was (nil): handing it back to pandoc costs as much as reading it.
local function Table(tbl)
  local marked = mark_rows(tbl.head.rows)
  for _, body in ipairs(tbl.bodies) do
    marked = mark_rows(body.head) or marked
    marked = mark_rows(body.body) or marked
  end
  marked = mark_rows(tbl.foot.rows) or marked
  return marked and tbl or nil
end

return { { Table = Table } }
