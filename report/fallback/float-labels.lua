--[[
float-labels.lua: every numbered table and figure shows its label after its
caption ("Table 2: Summary of findings ... `tbl-summary-of-findings`"), so a
draft can name the table by a label that does not change when tables are
renumbered, and a reader of the HTML can open `index.html#<label>`.

Quarto hands a user filter its tables and figures as FloatRefTarget nodes;
the fallback (plain pandoc) as Table and Figure elements. Both get the same
inlines, so the two renderers' captions stay alike (tests/pipeline/test_parity.py).
Run by Quarto (_quarto.yml) and by the fallback (report/fallback/ast.yaml).
]]

local function is_float_label(identifier)
  return identifier ~= nil and (identifier:match("^tbl%-") or identifier:match("^fig%-")) ~= nil
end

-- The class is on a Span around the Code, not on the Code: pandoc reads a class of inline code as the
-- name of its language, and looking up a name no syntax has costs the HTML and DOCX writers 0.7 s
-- each (every syntax definition is loaded), most of a small document's render.
local function label_inlines(identifier)
  return pandoc.Inlines({ pandoc.Space(), pandoc.Span({ pandoc.Code(identifier) }, { class = "float-label" }) })
end

-- A caption as a Plain/Para (Quarto's caption_long) or as blocks (pandoc's caption.long).
local function append_label(caption, identifier)
  if caption.content and caption.tag then
    caption.content:extend(label_inlines(identifier))
  elseif #caption > 0 and caption[#caption].content then
    caption[#caption].content:extend(label_inlines(identifier))
  else
    caption:insert(pandoc.Plain(label_inlines(identifier)))
  end
  return caption
end

function FloatRefTarget(float)
  if is_float_label(float.identifier) and float.caption_long then
    float.caption_long = append_label(float.caption_long, float.identifier)
    return float
  end
end

local function pandoc_float(element)
  if is_float_label(element.identifier) then
    element.caption.long = append_label(element.caption.long, element.identifier)
    return element
  end
end

Table = pandoc_float
Figure = pandoc_float
