--[[
crossref.lua: Quarto's numbering and cross-references for the pandoc
fallback renderer, run after embed.lua.

  * Sections are numbered 1, 1.1, ... from the shallowest heading level of
    the article (its sections start at `##` under the title), unless
    `.unnumbered`; the number goes in front of the title in a
    `header-section-number` span and in `data-number`, as in Quarto's HTML.
  * Tables and figures whose id starts with `tbl-`/`fig-` are numbered
    separately in reading order; their captions read "Table 1: ...".
  * `@sec-x`, `@tbl-x`, `@fig-x` become links reading "Section 1.2",
    "Table 1", "Figure 1" (`[Section -@sec-x]` keeps its prefix). Whatever
    follows the reference in the text (";", ")") is left as written.
  * A reference to a missing or unnumbered target is an error: Quarto would
    print "?@sec-x" and only warn.
]]

local ERROR_PREFIX = "bolero-render: "
local NBSP = "\u{a0}" -- Quarto keeps "Table" and its number on one line
local NAMES = { sec = "Section", tbl = "Table", fig = "Figure" }

local targets = {} -- id -> { kind = "sec"|"tbl"|"fig", number = "1.2" or nil }

local function kind_of(identifier)
  return identifier:match("^(%a+)%-")
end

local function article()
  return PANDOC_STATE.input_files[1] or "the article"
end

local function add_target(identifier, target)
  if targets[identifier] then
    error(ERROR_PREFIX .. article() .. ": duplicate label #" .. identifier, 0)
  end
  targets[identifier] = target
end

local function shallowest_level(doc)
  local level = math.huge
  doc:walk({
    Header = function(header)
      level = math.min(level, header.level)
    end,
  })
  return level
end

local function number_caption(element, text)
  local long = element.caption.long
  if #long > 0 and long[1].content then
    long[1].content = pandoc.Inlines({ pandoc.Str(text .. ":"), pandoc.Space() }) .. long[1].content
  else
    long:insert(1, pandoc.Plain({ pandoc.Str(text) }))
  end
  element.caption.long = long
  return element
end

local function number_all(doc)
  local top, sections, floats = shallowest_level(doc), {}, { tbl = 0, fig = 0 }
  local function number_float(element)
    local kind = kind_of(element.identifier)
    if kind == "tbl" or kind == "fig" then
      floats[kind] = floats[kind] + 1
      add_target(element.identifier, { kind = kind, number = tostring(floats[kind]) })
      return number_caption(element, NAMES[kind] .. NBSP .. floats[kind])
    end
  end
  return doc:walk({
    traverse = "topdown", -- reading order
    Header = function(header)
      local target = { kind = "sec" }
      if not header.classes:includes("unnumbered") then
        local depth = header.level - top + 1
        sections[depth] = (sections[depth] or 0) + 1
        for deeper = depth + 1, #sections do
          sections[deeper] = nil
        end
        for shallower = 1, depth - 1 do
          sections[shallower] = sections[shallower] or 0
        end
        target.number = table.concat(sections, ".", 1, depth)
        header.attributes.number = target.number
        header.content = pandoc.Inlines({ pandoc.Span(target.number, { class = "header-section-number" }), pandoc.Space() })
          .. header.content
      end
      if header.identifier ~= "" then
        add_target(header.identifier, target)
      end
      return header
    end,
    Figure = number_float,
    Table = number_float,
  })
end

local function resolve(cite)
  local references = pandoc.Inlines({})
  for index, citation in ipairs(cite.citations) do
    local key = citation.id:sub(1, 1):lower() .. citation.id:sub(2) -- @Tbl-x refers to tbl-x
    local kind = kind_of(key)
    if not NAMES[kind or ""] then
      return nil -- a bibliography citation, left to citeproc
    end
    local target = targets[key]
    if not target or not target.number then
      error(ERROR_PREFIX .. article() .. ": cross-reference @" .. citation.id .. " points to "
        .. (target and "an unnumbered section" or "no section, table or figure"), 0)
    end
    if index > 1 then
      references:extend({ pandoc.Str(";"), pandoc.Space() })
    end
    -- `[Section -@sec-x]`: the written prefix and the number, one link as in Quarto.
    local text = citation.mode == "SuppressAuthor" and pandoc.Inlines(target.number)
      or pandoc.Inlines(NAMES[target.kind] .. NBSP .. target.number)
    if #citation.prefix > 0 then
      text = citation.prefix .. pandoc.Inlines({ pandoc.Str(NBSP) }) .. text
    end
    references:insert(pandoc.Link(text, "#" .. key, "", { class = "quarto-xref" }))
    references:extend(citation.suffix)
  end
  return references
end

return {
  { Pandoc = number_all },
  { Cite = resolve },
}
