--[[
embed.lua: Quarto's `{{< embed NOTEBOOK.ipynb#label >}}` for the pandoc
fallback renderer (bolero_evidence.pipeline.render).

A paragraph holding only the shortcode is replaced by the saved outputs of
the notebook cell whose options (`#| label: ...` lines at the top of its
source) carry that label:
  * `tbl-` labels become a captioned table (`#| tbl-cap:`) with the label
    as its id; `fig-` labels a figure (`#| fig-cap:`, alt text `#| fig-alt:`);
  * other labels a Div with the label as its id.
crossref.lua numbers them afterwards, as Quarto does.

The notebook is read by pandoc's own ipynb reader (cells, images into the
media bag, streams). That reader drops the `text/markdown` representation
of an output when another is present (the register's JSON bundle under
`application/vnd.bolero-evidence.register+json`, or `text/plain`), so the
markdown of an output is taken from the notebook's JSON and parsed here,
with raw HTML, TeX and raw blocks turned off; a plot keeps only its image,
and raw HTML from an output is dropped: text from a notebook or its data is
always text in every output format.
]]

local ERROR_PREFIX = "bolero-render: "
local SAFE_MARKDOWN = "markdown-raw_html-raw_tex-raw_attribute"
local SHORTCODE = "^{{<%s*embed%s+(%S+)%s*>}}$"

local notebooks = {} -- path -> label -> { options = Meta, outputs = Blocks }

local function fail(message)
  error(ERROR_PREFIX .. message, 0)
end

local function article()
  return PANDOC_STATE.input_files[1] or "the article"
end

-- Cell options: the `#| key: value` lines at the top of a code cell, as YAML.
local function cell_options(source)
  local lines = {}
  for line in (source .. "\n"):gmatch("(.-)\n") do
    local option = line:match("^#|%s?(.*)$")
    if not option then
      break
    end
    lines[#lines + 1] = option
  end
  if #lines == 0 then
    return {}
  end
  return pandoc.read("---\n" .. table.concat(lines, "\n") .. "\n---\n", SAFE_MARKDOWN).meta
end

local function text_of(value)
  return type(value) == "table" and table.concat(value) or value
end

-- In HTML, long identifiers in table cells (register ids, source ids) may
-- break after . _ / = (<wbr> adds no character to copied text; the text
-- itself stays a Str, escaped by the writer); typst-header.typ does the same.
-- This filter runs once for all three formats (the AST is written as JSON,
-- see bolero_evidence.pipeline.render): the Typst and DOCX writers drop the
-- raw HTML, and the pieces of text read as before.
local function breakable(str)
  -- After a separator that follows a letter (typst-header.typ's rule): "orr.local" and "P=" may break,
  -- a number such as 0.0084 never does.
  local text = str.text
  local pieces, start = pandoc.Inlines({}), 1
  for position in text:gmatch("%a[._/=]()") do
    if position <= #text then
      pieces:extend({ pandoc.Str(text:sub(start, position - 1)), pandoc.RawInline("html", "<wbr>") })
      start = position
    end
  end
  if start == 1 then
    return nil
  end
  pieces:insert(pandoc.Str(text:sub(start)))
  return pieces
end

-- Columns sized by their content (as in Quarto's output), not by the dashes of the pipe table.
local function fit_table(tbl)
  tbl.colspecs = tbl.colspecs:map(function(colspec)
    return { colspec[1], pandoc.ColWidthDefault }
  end)
  return tbl:walk({ Str = breakable })
end

-- Pipe tables as pandas writes them are padded so that their columns line up in the text (one of 123 rows
-- is 67 KB, half of it spaces), and pandoc's markdown reader spent half its time on the padding. fit_table
-- sets aside the column widths that the dashes of a table give, so the padding changes nothing read: it is
-- cut from the rows of each pipe table before reading (spaces next to an unescaped `|`, and the dashes of
-- the separator line down to one). Other lines, a line block's among them, are left as they are.
local SEPARATOR_LINE = "^|[%s:%-|]+|$"

local function unpadded_row(line)
  return (line:gsub("(\\?)|( *)", function(escape, spaces)
    if escape ~= "" then
      return nil -- a `|` in a cell's text, and the spaces after it, are the cell's
    end
    return "|" .. (spaces ~= "" and " " or "")
  end):gsub("([^ ]) +|", "%1 |"))
end

local function unpadded_tables(markdown)
  local lines = {}
  for line in (markdown .. "\n"):gmatch("(.-)\n") do
    lines[#lines + 1] = line
  end
  local index = 1
  while index <= #lines do
    local separator = lines[index + 1]
    if lines[index]:match("^|") and separator and separator:match(SEPARATOR_LINE) and separator:find("-", 1, true) then
      lines[index + 1] = separator:gsub("(:?)%-+(:?)", "%1-%2"):gsub(" ", "")
      while lines[index] and lines[index]:match("^|") do
        lines[index] = unpadded_row(lines[index])
        index = index + 1
      end
    else
      index = index + 1
    end
  end
  return table.concat(lines, "\n")
end

-- The blocks of one output: its markdown if it has any, else what the ipynb reader made of it.
local function output_blocks(json_output, read_output, where)
  if json_output.output_type == "error" then
    fail(where .. ": the cell has an error output (" .. tostring(json_output.ename) .. ": "
      .. tostring(json_output.evalue) .. "); fix the notebook and save it executed")
  end
  local data = json_output.data or {}
  if data["text/markdown"] then
    return pandoc.read(unpadded_tables(text_of(data["text/markdown"])), SAFE_MARKDOWN).blocks:walk({ Table = fit_table })
  end
  for mime in pairs(data) do
    if mime:match("^image/") then -- a plot: the image, not its text/plain "<Figure size ...>"
      return read_output.content:filter(function(block)
        return block.t == "Para" and block.content[1] and block.content[1].t == "Image"
      end)
    end
  end
  -- Text (a stream, text/plain) as code blocks; raw HTML or LaTeX never passes.
  return read_output.content:filter(function(block)
    return block.t ~= "RawBlock"
  end)
end

local function read_notebook(path)
  local file = io.open(path, "rb")
  if not file then
    fail(article() .. ": embed: notebook " .. path .. " does not exist")
  end
  local text = file:read("a")
  file:close()
  local json_cells = pandoc.json.decode(text, false).cells
  local read_cells = pandoc.List({})
  for _, block in ipairs(pandoc.read(text, "ipynb").blocks) do
    if block.t == "Div" and block.classes:includes("cell") then
      read_cells:insert(block)
    end
  end
  assert(#read_cells == #json_cells, path .. ": the ipynb reader and the JSON disagree on the number of cells")
  local labels = {}
  for index, cell in ipairs(json_cells) do
    local options = cell.cell_type == "code" and cell_options(text_of(cell.source)) or {}
    local label = options.label and pandoc.utils.stringify(options.label)
    if label then
      local read_outputs = read_cells[index].content:filter(function(block)
        return block.t == "Div" and block.classes:includes("output")
      end)
      local outputs = pandoc.Blocks({})
      for number, json_output in ipairs(cell.outputs or {}) do
        outputs:extend(output_blocks(json_output, read_outputs[number], path .. "#" .. label))
      end
      labels[label] = { options = options, outputs = outputs }
    end
  end
  return labels
end

local function caption(inlines)
  return pandoc.Caption(inlines and { pandoc.Plain(inlines) } or {})
end

-- The outputs of a labelled cell as Quarto shows them: a table or figure float, or a plain Div.
local function embedded(label, cell)
  local kind = label:match("^(%a+)%-")
  local blocks = cell.outputs
  if kind == "tbl" then
    if #blocks == 1 and blocks[1].t == "Table" then
      -- The table's own caption: above the table in HTML, Typst and DOCX alike.
      local tbl = blocks[1]
      tbl.identifier = label
      tbl.caption = caption(cell.options["tbl-cap"])
      return tbl
    end
    return pandoc.Figure(blocks, caption(cell.options["tbl-cap"]), label)
  elseif kind == "fig" then
    local alt = pandoc.utils.stringify(cell.options["fig-alt"] or cell.options["fig-cap"] or "")
    blocks = blocks:walk({
      Image = function(image)
        image.caption = pandoc.Inlines(alt)
        return image
      end,
      Para = function(para)
        return pandoc.Plain(para.content)
      end,
    })
    return pandoc.Figure(blocks, caption(cell.options["fig-cap"]), label)
  end
  return pandoc.Div(blocks, label)
end

local function Para(para)
  local target = pandoc.utils.stringify(para):match(SHORTCODE)
  if not target then
    return nil
  end
  local notebook, label = target:match("^(.-)#(.+)$")
  if not notebook then
    fail(article() .. ": embed " .. target .. " names no cell; write NOTEBOOK.ipynb#label")
  end
  local path = pandoc.path.normalize(pandoc.path.join({ pandoc.path.directory(article()), notebook }))
  notebooks[path] = notebooks[path] or read_notebook(path)
  local cell = notebooks[path][label]
  if not cell then
    fail(article() .. ": embed " .. target .. ": no cell labelled " .. label .. " in " .. notebook)
  end
  if #cell.outputs == 0 then
    fail(article() .. ": embed " .. target .. ": the cell labelled " .. label .. " has no outputs; execute and save the notebook")
  end
  return embedded(label, cell)
end

return { { Para = Para } }
