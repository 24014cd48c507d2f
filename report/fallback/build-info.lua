--[[
build-info.lua: the title block's version, data date and commit, from the
build (never typed by hand), and register values written inline in prose.

* `date` is the date of the latest commit that changed `data/` (`git log`),
  or, without git, the modification date of the newest file in `data/`;
  `version` is `pyproject.toml`'s; `commit` the short hash of HEAD ("no git"
  without git). They are set as metadata (`date`, `citation.version`) and
  written as one line at the top of the article (`#build-info`).
* `[pfs.local.interim.median_gain]{.register-value digits="1"}` is replaced
  by that register figure from report/generated/register.csv (the register
  the build writes from the saved notebooks), written as the report writes
  numbers (U+2212 minus; `abs="true"` drops the sign). An id that is not in
  the register stops the render.

Run by Quarto (_quarto.yml) and by the fallback (report/fallback/ast.yaml).
]]

local ERROR_PREFIX = "bolero-render: "

-- Quarto runs a notebook page's filters from the notebook's folder, so paths
-- are taken from the project root (Quarto's, or the fallback's working folder).
local ROOT = (quarto and quarto.project and quarto.project.directory) or "."

local function run(command, args)
  local ok, out = pcall(pandoc.pipe, command, args, "")
  if ok and out then
    return (out:gsub("%s+$", ""))
  end
  return nil
end

local function read_file(path)
  local handle = io.open(path, "r")
  if not handle then
    return nil
  end
  local text = handle:read("a")
  handle:close()
  return text
end

local function version()
  local text = read_file(ROOT .. "/pyproject.toml") or ""
  return text:match('\nversion%s*=%s*"([^"]+)"') or "unknown"
end

local function data_date()
  local date = run("git", { "-C", ROOT, "log", "-1", "--format=%cs", "--", "data" })
  if date and date ~= "" then
    return date
  end
  -- No git: the newest file of data/ (GNU find prints the modification date).
  local listing = run("find", { ROOT .. "/data", "-type", "f", "-printf", "%TY-%Tm-%Td\n" }) or ""
  local newest = nil
  for date in listing:gmatch("[^\n]+") do
    if not newest or date > newest then
      newest = date
    end
  end
  return newest or "unknown"
end

local function commit()
  return run("git", { "-C", ROOT, "rev-parse", "--short", "HEAD" }) or "no git"
end

local register = nil

local function load_register()
  if register then
    return register
  end
  register = {}
  local text = read_file(ROOT .. "/report/generated/register.csv")
  if not text then
    error(ERROR_PREFIX .. "report/generated/register.csv not found: run the build first", 0)
  end
  for line in text:gmatch("[^\n]+") do
    local id, value = line:match("^([^,]+),([^,]*),")
    if id and id ~= "id" then
      register[id] = tonumber(value)
    end
  end
  return register
end

local MINUS = "\u{2212}"

local function format(value, digits, absolute)
  if absolute then
    value = math.abs(value)
  end
  local text = string.format("%." .. digits .. "f", value)
  if tonumber(text) == 0 then
    text = text:gsub("^%-", "")
  end
  return (text:gsub("^%-", MINUS))
end

function Span(span)
  if not span.classes:includes("register-value") then
    return nil
  end
  local id = pandoc.utils.stringify(span.content)
  local value = load_register()[id]
  if value == nil then
    error(ERROR_PREFIX .. "register value " .. id .. " is not in report/generated/register.csv", 0)
  end
  local digits = tonumber(span.attributes.digits or "1")
  return pandoc.Span(pandoc.Str(format(value, digits, span.attributes.abs == "true")), { class = "register-value", title = id })
end

-- With SOURCE_DATE_EPOCH set (the build sets it from the last change to data/), the PDF's creation
-- date is that time, not the render's. The Typst some Quarto installations run does not read it from
-- the environment, so under Quarto it is set as `document(date:)` in the header, before any content,
-- where Typst allows a document set rule. (The fallback passes it to Typst itself.)
local function typst_document_date()
  local epoch = tonumber(os.getenv("SOURCE_DATE_EPOCH") or "")
  if not epoch or not FORMAT:match("typst") then
    return nil
  end
  local t = os.date("!*t", math.floor(epoch))
  return string.format("#set document(date: datetime(year: %d, month: %d, day: %d, hour: %d, minute: %d, second: %d))",
    t.year, t.month, t.day, t.hour, t.min, t.sec)
end

function Meta(meta)
  local v, c = version(), commit()
  local document_date = typst_document_date()
  if document_date and quarto and quarto.doc and quarto.doc.include_text then
    quarto.doc.include_text("in-header", document_date)
  end
  -- The article types no date; a document that does keep its own (the renderer's test fixtures).
  if meta.date == nil then
    meta.date = pandoc.MetaString(data_date())
  end
  meta["build-version"] = pandoc.MetaString(v)
  meta["build-commit"] = pandoc.MetaString(c)
  if v ~= "unknown" and meta.citation and type(meta.citation) == "table" and meta.citation.version == nil then
    meta.citation.version = pandoc.MetaString(v)
  end
  return meta
end

function Pandoc(doc)
  local meta = doc.meta
  local line = pandoc.Para({
    pandoc.Str("Version " .. pandoc.utils.stringify(meta["build-version"])), pandoc.Str(" · "),
    pandoc.Str("data as of " .. pandoc.utils.stringify(meta.date)), pandoc.Str(" · "),
    pandoc.Str("commit "), pandoc.Code(pandoc.utils.stringify(meta["build-commit"])),
  })
  doc.blocks:insert(1, pandoc.Div({ line }, { id = "build-info", class = "build-info" }))
  return doc
end

return {
  { Meta = Meta },
  { Span = Span },
  { Pandoc = Pandoc },
}
