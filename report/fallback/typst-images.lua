--[[
typst-images.lua: the images of the Typst source, with their alt text.

Pandoc's Typst writer gives an image no alt text, so each image is written
beside the Typst source and placed with `fit-image` (typst-header.typ),
which passes the alt text on to the PDF. Runs on the article's AST (written
once by the first pandoc pass, bolero_evidence.pipeline.render), whose
images embed.lua's notebooks put in files (`--extract-media`). Other
formats are left alone.
]]

local function typst_string(text)
  return '"' .. text:gsub("\\", "\\\\"):gsub('"', '\\"'):gsub("\n", " ") .. '"'
end

local function typst_image(image)
  local _, contents = pandoc.mediabag.fetch(image.src)
  local name = "media/" .. pandoc.utils.sha1(contents) .. (image.src:match("%.%w+$") or "")
  local folder = pandoc.path.directory(PANDOC_STATE.output_file)
  pandoc.system.make_directory(pandoc.path.join({ folder, "media" }), true)
  local file = assert(io.open(pandoc.path.join({ folder, name }), "wb"))
  file:write(contents)
  file:close()
  local alt = typst_string(pandoc.utils.stringify(image.caption))
  return pandoc.RawInline("typst", "#fit-image(" .. typst_string(name) .. ", " .. alt .. ")")
end

if not FORMAT:match("typst") then
  return {}
end
return { { Image = typst_image } }
