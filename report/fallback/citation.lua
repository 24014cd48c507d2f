--[[
citation.lua: the article's "Citation" appendix, as Quarto adds it to its HTML, from the
`citation` metadata of index.qmd; and the authors and keywords in the form
pandoc's templates print.

The Quarto metadata (`citation` with the document's title, authors and date
as defaults) is mapped to one CSL item; pandoc's citeproc formats it in its
default style (Chicago author-date, Quarto's default too) and pandoc's
biblatex writer writes the BibTeX entry. Nothing is formatted here.
]]

local stringify = pandoc.utils.stringify

-- A Quarto author (`Ada Example`, `{name: Ada Example}`, `{name: {literal: ...}}`,
-- `{name: {given: ..., family: ...}}`) as a CSL name. Quarto reads a name
-- given as text with the first word as the given name and the rest as the
-- family name; CSL wants the parts, so the same split is made here.
local function csl_name(author)
  local name = type(author) == "table" and author.name or author
  if type(name) == "table" and (name.literal or name.family) then
    local parts = {}
    for _, key in ipairs({ "literal", "given", "family" }) do
      parts[key] = name[key] and stringify(name[key]) or nil
    end
    return parts
  end
  local given, family = stringify(name):match("^(%S+)%s+(.+)$")
  return given and { given = given, family = family } or { literal = stringify(name) }
end

local function display_name(name)
  return name.literal or table.concat({ name.given, name.family }, " ")
end

local function as_list(value)
  return (type(value) == "table" and value[1]) and value or (value and { value } or {})
end

-- Quarto adds the "Citation" appendix to its HTML only; in its PDF and DOCX this filter adds it
-- (_quarto.yml runs it too), and leaves the authors and keywords to Quarto's own templates.
local IN_QUARTO = quarto ~= nil
-- The fallback renders in two passes (bolero_evidence.pipeline.render): the first, the same for every
-- format, is written as JSON; the three writers then read it. The appendix is formatted in the first
-- (citeproc loads its style each time it runs: once instead of once per format), and marked as added
-- there; the writers only give it what depends on their format.
local FIRST_PASS = not IN_QUARTO and FORMAT == "json"
local ADDED = "bolero-citation-added"

-- Quarto hands a filter `author` as plain names and keeps the parsed ones in `authors`; a name
-- given as `literal` (a group, as here) stays whole.
local function quarto_names(meta)
  return pandoc.List(as_list(meta.authors)):map(function(author)
    local name = author.name or {}
    return name.literal and { literal = stringify(name.literal) } or csl_name(author)
  end)
end

local function blank(value)
  return value == nil or value == ""
end

function Meta(meta)
  local names = IN_QUARTO and quarto_names(meta) or pandoc.List(as_list(meta.author)):map(csl_name)
  if IN_QUARTO then
    if FORMAT:match("html") or not meta.citation then
      return nil
    end
  elseif not FIRST_PASS then
    -- Pandoc's Typst template wants {name, affiliation}; its HTML and DOCX templates text.
    meta.author = names:map(function(name)
      return FORMAT:match("typst") and { name = display_name(name) } or display_name(name)
    end)
  end
  if not IN_QUARTO and not FIRST_PASS and FORMAT:match("typst") and meta.keywords then
    -- Pandoc's Typst template writes keywords as they come: they must be Typst strings.
    meta.keywords = pandoc.List(as_list(meta.keywords)):map(function(keyword)
      return pandoc.RawInline("typst", '"' .. stringify(keyword):gsub('[\\"]', "\\%0") .. '"')
    end)
  end
  if not meta.citation or meta[ADDED] then
    return meta
  end
  local item = { id = stringify(meta["citation-key"] or "citation"), type = "article-journal" }
  for key, value in pairs(meta.citation) do
    -- Quarto turns the citation's dates into date objects; the document's date is used instead.
    if not (IN_QUARTO and (key == "issued" or key == "available-date")) then
      item[key] = stringify(value)
    end
  end
  -- Quarto may leave empty fields in its normalised `citation`; the document's own then apply.
  item.title = blank(item.title) and stringify(meta.title or "") or item.title
  item.issued = blank(item.issued) and (meta.date and stringify(meta.date)) or item.issued
  item.author = meta.citation.author and pandoc.List(as_list(meta.citation.author)):map(csl_name) or names
  meta["bolero-citation"] = item
  return meta
end

local CITATION_HEADING = "quarto-citation"

-- On a page of its own in the PDF: the heading is not left at the foot of the last appendix's page.
local function page_break_before_heading(doc)
  for index, block in ipairs(doc.blocks) do
    if block.t == "Header" and block.identifier == CITATION_HEADING then
      doc.blocks:insert(index, pandoc.RawBlock("typst", "#pagebreak(weak: true)"))
      return
    end
  end
end

-- The appendix at the end of ``doc``: the heading, the BibTeX entry and the entry formatted by citeproc.
local function add_appendix(doc, item)
  local references = pandoc.Pandoc({ pandoc.Div({}, { id = "refs" }) }, {
    references = { item },
    nocite = { pandoc.Cite({}, { pandoc.Citation(item.id, "NormalCitation") }) },
    lang = doc.meta.lang or "en-US",
  })
  -- citeproc wraps the entry in a Div "refs"; renamed, so that it is not a second "refs" (Quarto's citeproc,
  -- which runs after this filter, would put the report's reference list there).
  local entry = pandoc.utils.citeproc(references).blocks:walk({
    Div = function(div)
      if div.identifier == "refs" then
        div.identifier = "cite-as"
        return div
      end
    end,
  })
  local bibtex = pandoc.write(pandoc.Pandoc({}, { references = { item } }), "biblatex")
  doc.blocks:extend({
    pandoc.Header(2, "Citation", { id = CITATION_HEADING, class = "unnumbered appendix" }),
    pandoc.Para("BibTeX citation:"),
    pandoc.CodeBlock(bibtex, { class = "bibtex" }),
    pandoc.Para("For attribution, please cite this work as:"),
  })
  doc.blocks:extend(entry)
end

-- The first pass of the fallback (or Quarto's one) adds the appendix; a writer of the fallback's second
-- pass finds it added, marked by the first.
function Pandoc(doc)
  local item = doc.meta["bolero-citation"]
  if not item and not doc.meta[ADDED] then
    return nil
  end
  if item then
    doc.meta["bolero-citation"] = nil
    add_appendix(doc, item)
  end
  doc.meta[ADDED] = FIRST_PASS or nil
  if FORMAT:match("typst") then
    page_break_before_heading(doc)
  end
  return doc
end

return {
  { Meta = Meta },
  { Pandoc = Pandoc },
}
