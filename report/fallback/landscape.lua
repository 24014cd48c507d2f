-- landscape.lua: a `::: {.landscape}` div gets a landscape page of its own in
-- the Typst PDF, as Quarto gives it (Quarto's own handling covers its
-- renders; this filter runs in the fallback only). Other formats ignore it.
function Div(div)
  if not FORMAT:match("typst") or not div.classes:includes("landscape") then
    return nil
  end
  local blocks = pandoc.Blocks({ pandoc.RawBlock("typst", "#page(flipped: true)[") })
  blocks:extend(div.content)
  blocks:insert(pandoc.RawBlock("typst", "]"))
  return blocks
end
