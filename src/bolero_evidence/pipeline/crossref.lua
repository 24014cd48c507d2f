--[[
crossref.lua: Quarto-style floats, numbering and cross-references for the
pandoc fallback renderer (bolero_evidence.pipeline.render).

What render.py hands over:
  * an embedded table or figure as a Div `{#tbl-x .bolero-float}` holding
    the cell's output and a Div `.bolero-float-caption` with the caption;
  * images of notebook outputs with the class `bolero-output`;
  * notes (the "Source:" line under an embed, the renderer line) as Divs
    with the class `bolero-note`;
  * metadata `bolero-number-sections` (boolean) and `bolero-number-depth`.

What it does, in order (one filter per step, so each step sees the result
of the one before):
  1. turns every `.bolero-float` Div, and Quarto's own `::: {#fig-x}` /
     `::: {#tbl-x}` divs, into a captioned Table (a single pipe table) or
     a Figure, keeping the label as the identifier;
  2. numbers sections (1, 1.1, ...) unless `.unnumbered`, and tables and
     figures separately in order of appearance, prefixing captions with
     "Table N: " / "Figure N: " as Quarto does;
  3. replaces `@sec-x`, `@tbl-x`, `@fig-x` (which pandoc parses as Cite
     elements) by links reading "Section N", "Table N", "Figure N";
  4. lets tables fit the page: columns sized by content, break
     opportunities inside long identifiers;
  5. for Typst only: styles the notes and gives images their alt text.

Errors start with "bolero-render: " so that render.py can report them as
a RenderError naming the article.
]]

local ERROR_PREFIX = "bolero-render: "
local NBSP = "\u{a0}" -- Quarto keeps "Table" and its number on one line
local FLOAT_NAMES = { fig = "Figure", tbl = "Table" }
local SECTION_NAME = "Section"

-- Label prefixes Quarto reserves for cross-references: an `@` reference
-- with one of these that matches nothing is an error, not a citation.
local RESERVED_PREFIXES = {}
for prefix in ("fig tbl lst tip nte wrn imp cau thm lem cor prp cnj def exm exr sol rem eq sec"):gmatch("%S+") do
  RESERVED_PREFIXES[prefix] = true
end

local function fail(message)
  error(ERROR_PREFIX .. message, 0)
end

local function prefix_of(identifier)
  return identifier:match("^(%a+)%-")
end

-- Quarto capitalises the reference text for `@Fig-x`; ours is capitalised
-- already, so `@Fig-x` and `@fig-x` only need to find the same target.
local function target_key(citation_id)
  return citation_id:sub(1, 1):lower() .. citation_id:sub(2)
end

-- Step 1: embedded outputs become captioned tables and figures ------------

-- An image alone in a paragraph parses as a Figure captioned by its alt
-- text; inside a float the float itself is the figure.
local function without_implicit_figures(blocks)
  return blocks:walk({
    Figure = function(figure)
      return figure.content
    end,
  })
end

local function float_from_div(div)
  local caption, body = pandoc.Blocks({}), pandoc.Blocks({})
  for _, block in ipairs(div.content) do
    if block.t == "Div" and block.classes:includes("bolero-float-caption") then
      -- Plain, not Para: a caption is not a paragraph (no <p> in <caption>).
      caption = block.content:walk({
        Para = function(para)
          return pandoc.Plain(para.content)
        end,
      })
    else
      body:insert(block)
    end
  end
  body = without_implicit_figures(body)
  if prefix_of(div.identifier) == "tbl" and #body == 1 and body[1].t == "Table" then
    -- A captioned table keeps its caption above it in HTML and in Typst.
    local tbl = body[1]
    tbl.identifier = div.identifier
    tbl.caption = pandoc.Caption(caption)
    return tbl
  end
  return pandoc.Figure(body, pandoc.Caption(caption), pandoc.Attr(div.identifier))
end

-- Quarto's own figure/table divs, `::: {#fig-x}` content, then the caption
-- as the last paragraph, get the same treatment as embeds.
local function caption_last_paragraph(div)
  local last = div.content[#div.content]
  if #div.content > 1 and last.t == "Para" then
    div.content[#div.content] = pandoc.Div({ last }, pandoc.Attr("", { "bolero-float-caption" }))
  end
  return div
end

local make_floats = {
  Div = function(div)
    if div.classes:includes("bolero-float") then
      return float_from_div(div)
    end
    if FLOAT_NAMES[prefix_of(div.identifier) or ""] then
      return float_from_div(caption_last_paragraph(div))
    end
  end,
}

-- Step 2: numbering ------------------------------------------------------

local options = { number_sections = false, number_depth = 6 }
local targets = {} -- identifier -> { kind = "sec"|"fig"|"tbl", number = "1.2"|nil, title = Inlines }

local function read_options(meta)
  options.number_sections = meta["bolero-number-sections"] == true
  local depth = meta["bolero-number-depth"]
  if depth ~= nil then
    options.number_depth = tonumber(pandoc.utils.stringify(depth)) or options.number_depth
  end
end

local function register(identifier, target)
  if identifier == "" then
    return
  end
  if targets[identifier] and RESERVED_PREFIXES[prefix_of(identifier) or ""] then
    fail("duplicate label #" .. identifier)
  end
  targets[identifier] = target
end

-- Quarto numbers the shallowest heading level of an article as 1, 2, ...
-- (articles start at `##` under the title), so depth is counted from it.
local function shallowest_numbered_level(doc)
  local level = math.huge
  doc:walk({
    Header = function(header)
      if not header.classes:includes("unnumbered") then
        level = math.min(level, header.level)
      end
    end,
  })
  return level
end

-- "Table 1" becomes "Table 1: caption", or stays "Table 1" if uncaptioned.
local function prefix_caption(caption, text)
  local long = caption.long
  if #long > 0 and (long[1].t == "Plain" or long[1].t == "Para") then
    long[1].content:insert(1, pandoc.Space())
    long[1].content:insert(1, pandoc.Str(text .. ":"))
  elseif #long > 0 then
    long:insert(1, pandoc.Plain({ pandoc.Str(text .. ":") }))
  else
    long:insert(pandoc.Plain({ pandoc.Str(text) }))
  end
  caption.long = long
  return caption
end

local function number_all(doc)
  local top = shallowest_numbered_level(doc)
  local section_counts = {}
  local float_counts = { fig = 0, tbl = 0 }

  local function next_section_number(depth)
    for d = 1, depth - 1 do
      section_counts[d] = section_counts[d] or 0
    end
    section_counts[depth] = (section_counts[depth] or 0) + 1
    for d = depth + 1, #section_counts do
      section_counts[d] = nil
    end
    return table.concat(section_counts, ".", 1, depth)
  end

  local function number_float(element)
    local kind = prefix_of(element.identifier)
    if not FLOAT_NAMES[kind] then
      return nil
    end
    float_counts[kind] = float_counts[kind] + 1
    local number = tostring(float_counts[kind])
    register(element.identifier, { kind = kind, number = number })
    element.caption = prefix_caption(element.caption, FLOAT_NAMES[kind] .. NBSP .. number)
    return element
  end

  return doc:walk({
    traverse = "topdown", -- document order, so numbers follow reading order
    Header = function(header)
      local target = { kind = "sec", title = header.content:clone() }
      local depth = header.level - top + 1
      if options.number_sections and not header.classes:includes("unnumbered") and depth <= options.number_depth then
        target.number = next_section_number(depth)
        header.content:insert(1, pandoc.Space())
        header.content:insert(1, pandoc.Span(pandoc.Inlines(target.number), pandoc.Attr("", { "header-section-number" })))
      end
      register(header.identifier, target)
      return header
    end,
    Figure = number_float,
    Table = number_float,
  })
end

-- Step 3: cross-references -----------------------------------------------

local function reference_text(target, citation)
  if target.kind == "sec" and not target.number then
    -- Quarto refers to unnumbered sections by their title.
    return target.title:clone()
  end
  if citation.mode == "SuppressAuthor" then -- [-@tbl-x]: the number alone
    return pandoc.Inlines({ pandoc.Str(target.number) })
  end
  local name = target.kind == "sec" and SECTION_NAME or FLOAT_NAMES[target.kind]
  return pandoc.Inlines({ pandoc.Str(name .. NBSP .. target.number) })
end

local function resolve_cite(cite)
  local references, citations = pandoc.Inlines({}), pandoc.List({})
  for _, citation in ipairs(cite.citations) do
    local key = target_key(citation.id)
    local target = targets[key]
    if target then
      if #references > 0 then
        references:extend({ pandoc.Str(","), pandoc.Space() })
      end
      if #citation.prefix > 0 then
        references:extend(citation.prefix)
        references:insert(pandoc.Space())
      end
      references:insert(pandoc.Link(reference_text(target, citation), "#" .. key, "", pandoc.Attr("", { "quarto-xref" })))
      references:extend(citation.suffix)
    elseif RESERVED_PREFIXES[prefix_of(key) or ""] then
      fail("unknown cross-reference @" .. citation.id)
    else
      citations:insert(citation) -- a bibliography citation, for citeproc
    end
  end
  if #citations == #cite.citations then
    return nil
  end
  if #citations > 0 then
    references:extend({ pandoc.Space(), pandoc.Cite({ pandoc.Str("@" .. citations[1].id) }, citations) })
  end
  return references
end

-- Step 4: tables ------------------------------------------------------------

-- Break opportunities inside identifiers such as "oncology_news_2011" or
-- "provenance.deaths.count", which would otherwise overflow a table column.
-- Neither marker adds a character to the text a reader copies: <wbr> in
-- HTML, and in Typst a sliver of spacing (Typst drops h(0pt) altogether).
local BREAK = FORMAT:match("typst") and pandoc.RawInline("typst", "#h(0.01pt);") or pandoc.RawInline("html", "<wbr>")

local function breakable(str)
  local marked = str.text:gsub("([_/=])", "%1\0"):gsub("(%a%.)(%a)", "%1\0%2")
  if marked == str.text then
    return nil
  end
  local pieces = pandoc.Inlines({})
  for piece in marked:gmatch("[^\0]+") do
    if #pieces > 0 then
      pieces:insert(BREAK)
    end
    pieces:insert(pandoc.Str(piece))
  end
  return pieces
end

local fit_tables = {
  -- Columns sized by their content (HTML's automatic table layout, Typst's
  -- `auto` columns, both shrunk to the page) rather than by pandoc's relative
  -- widths, which come from the dashes of a pipe table and let long cells
  -- run into their neighbours.
  Table = function(tbl)
    for index, colspec in ipairs(tbl.colspecs) do
      tbl.colspecs[index] = { colspec[1], pandoc.ColWidthDefault }
    end
    return tbl:walk({ Str = breakable })
  end,
}

-- Step 5: Typst details --------------------------------------------------

local function typst_string(text)
  return '"' .. text:gsub("\\", "\\\\"):gsub('"', '\\"') .. '"'
end

local typst_details = {
  -- `fit-image` (defined in render.py's Typst header) shrinks a plot that
  -- is wider than the text block and passes the alt text on to the PDF.
  Image = function(image)
    if image.classes:includes("bolero-output") then
      local alt = pandoc.utils.stringify(image.caption)
      return pandoc.RawInline("typst", "#fit-image(" .. typst_string(image.src) .. ", " .. typst_string(alt) .. ")")
    end
  end,
  Div = function(div)
    if div.classes:includes("bolero-note") then
      local styled = pandoc.Blocks({ pandoc.RawBlock("typst", "#block(above: 0.6em, below: 1.2em)[#set text(size: 0.8em, fill: luma(90))") })
      styled:extend(div.content)
      styled:insert(pandoc.RawBlock("typst", "]"))
      return styled
    end
  end,
}

local filters = {
  { Meta = read_options },
  make_floats,
  { Pandoc = number_all },
  { Cite = resolve_cite },
  fit_tables,
}
if FORMAT:match("typst") then
  table.insert(filters, typst_details)
end
return filters
