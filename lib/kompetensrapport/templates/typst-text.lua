-- Text in the PDFs as typed. Pandoc's Typst writer (Quarto 1.10) escapes Typst's markup in text
-- but leaves two of its shorthands: "..." (which Typst sets as an ellipsis) and "-?" (a soft
-- hyphen, which Typst does not print). A piece of text holding either is written as raw Typst
-- with every ASCII punctuation character escaped. Other formats are left alone. The build
-- copies this filter next to _quarto.yml and names it under `filters`.
--
-- Landscape pages: a wide table opens a page of its own with raw Typst carrying the mark
-- LANDSCAPE_MARK (present/tables.py). Typst allows no page inside a block, and pandoc writes
-- each div (a notebook cell's output) as a block, so a div holding that raw Typst is replaced by
-- its content (divs are visited inner first, so every div around it goes).
local LANDSCAPE_MARK = "// kr-landscape"

function Str(el)
  if not quarto.doc.is_format("typst") then
    return nil
  end
  if not (el.text:find("...", 1, true) or el.text:find("-?", 1, true)) then
    return nil
  end
  return pandoc.RawInline("typst", (el.text:gsub("%p", "\\%0")))
end

function Div(el)
  if not quarto.doc.is_format("typst") then
    return nil
  end
  for _, block in ipairs(el.content) do
    if block.t == "RawBlock" and block.format == "typst" and block.text:find(LANDSCAPE_MARK, 1, true) then
      return el.content
    end
  end
  return nil
end

-- A table row never breaks across pages in the PDF (Typst's table.cell breakable): a row split at
-- the foot of a page leaves a hyphenated word's halves on two pages and the row's cells half read.
-- A row moves to the next page whole; every table row of the report is far shorter than a page.
function Pandoc(doc)
  if not quarto.doc.is_format("typst") then
    return nil
  end
  doc.blocks:insert(1, pandoc.RawBlock("typst", "#set table.cell(breakable: false)"))
  return doc
end
