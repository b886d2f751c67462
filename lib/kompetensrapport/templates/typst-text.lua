-- Text in the PDFs as typed. Pandoc's Typst writer (Quarto 1.10) escapes Typst's markup in text
-- but leaves two of its shorthands: "..." (which Typst sets as an ellipsis) and "-?" (a soft
-- hyphen, which Typst does not print). A piece of text holding either is written as raw Typst
-- with every ASCII punctuation character escaped. Other formats are left alone. The build
-- copies this filter next to _quarto.yml and names it under `filters`.
function Str(el)
  if not quarto.doc.is_format("typst") then
    return nil
  end
  if not (el.text:find("...", 1, true) or el.text:find("-?", 1, true)) then
    return nil
  end
  return pandoc.RawInline("typst", (el.text:gsub("%p", "\\%0")))
end
