-- Links the words of the glossary where they first appear on a page (HTML only).
--
-- The terms come from the glossary page itself, ordlista.qmd, at the site's root beside this
-- filter (the build writes both there): each level-2 heading's identifier is a term's anchor,
-- and its attribute "former" lists the words that link to it, separated by "|" (see
-- present/ordlista.py, which writes the page from the package's ordlista.yml: one list).
--
-- On every other page, the first occurrence of any of a term's words in the running text
-- (paragraphs, list items, block quotes, divs; not headings, tables, links, code or raw HTML, and
-- not the hidden divs in which Quarto renders the navbar's and the page's metadata texts)
-- becomes a link to ordlista.html#<id>, relative to the page ("../ordlista.html#brist" from a
-- page in 2023/). Words match whole, in any case, with punctuation before the first word and after
-- the last kept outside the link (and a number before a unit, "196 900 tkr"); a term of several words matches across spaces and line breaks.
-- Each term is linked once per page; where a longer term matches, a shorter one within it is
-- never linked. The PDF (Typst) is left as it is.

local GLOSSARY = "ordlista.qmd"
local ATTRIBUTE = "former"

-- punctuation that may stand before or after a word in the same Str: ASCII and typographic
local PUNCTUATION = { "”", "“", "’", "‘", "»", "«", "–", "—", "…" }
-- a no-break space before a word, as between a number and its unit ("196 900 tkr"), which then
-- stays outside the link
local NBSP = "\u{00A0}"

local function only_punctuation(s)
  for _, p in ipairs(PUNCTUATION) do
    s = s:gsub(p, "")
  end
  return s:gsub("[%p%s]", "") == ""
end

-- the terms: a list of {id, words}, longest first (most words, then most bytes)
local function read_terms()
  local path = quarto.utils.resolve_path(GLOSSARY)
  local file = io.open(path, "r")
  if not file then
    return {}
  end
  local text = file:read("a")
  file:close()
  local terms = {}
  for _, block in ipairs(pandoc.read(text, "markdown").blocks) do
    local forms = block.t == "Header" and block.attributes[ATTRIBUTE]
    if forms and block.identifier ~= "" then
      for form in forms:gmatch("[^|]+") do
        local words = {}
        for word in form:gmatch("%S+") do
          table.insert(words, pandoc.text.lower(word))
        end
        if #words > 0 then
          table.insert(terms, { id = block.identifier, words = words, size = #form })
        end
      end
    end
  end
  table.sort(terms, function(a, b)
    if #a.words ~= #b.words then
      return #a.words > #b.words
    end
    if a.size ~= b.size then
      return a.size > b.size
    end
    return a.id < b.id
  end)
  return terms
end

-- where the page lies below the project's root: "" at the root, "../" in a year's folder
local function prefix_to_root()
  local input = quarto.doc.input_file or ""
  local root = quarto.project.directory or ""
  local relative = input
  if root ~= "" and input:sub(1, #root) == root then
    relative = input:sub(#root + 2)
  end
  local _, depth = relative:gsub("/", "")
  return string.rep("../", depth), relative
end

-- the word `word` in the Str `text`, with only punctuation around it: prefix, core, suffix
local function find_word(text, word, first, last)
  local lower = pandoc.text.lower(text)
  local start, stop = lower:find(word, 1, true)
  while start do
    local before, after = text:sub(1, start - 1), text:sub(stop + 1)
    if (before == "" or (first and (only_punctuation(before) or before:sub(-#NBSP) == NBSP)))
        and (after == "" or (last and only_punctuation(after))) then
      return before, text:sub(start, stop), after
    end
    start, stop = lower:find(word, start + 1, true)
  end
  return nil
end

local function is_break(el)
  return el and (el.t == "Space" or el.t == "SoftBreak")
end

-- a term's words in `inlines` from index i: {last index, prefix, link content, suffix} or nil
local function match_at(inlines, i, words)
  local content = pandoc.Inlines({})
  local prefix, suffix = "", ""
  local j = i
  for k, word in ipairs(words) do
    local el = inlines[j]
    if not el or el.t ~= "Str" then
      return nil
    end
    local before, core, after = find_word(el.text, word, k == 1, k == #words)
    if not core then
      return nil
    end
    if k == 1 then
      prefix = before
    end
    if k == #words then
      suffix = after
    end
    content:insert(pandoc.Str(core))
    if k < #words then
      if not is_break(inlines[j + 1]) then
        return nil
      end
      content:insert(inlines[j + 1])
      j = j + 2
    end
  end
  return { last = j, prefix = prefix, content = content, suffix = suffix }
end

-- inline elements whose content is running text (links, code, raw HTML, notes are not)
local CONTAINERS = { Emph = true, Strong = true, Span = true, Quoted = true, Underline = true,
                     SmallCaps = true, Strikeout = true }

local function link_inlines(inlines, state)
  local out = pandoc.Inlines({})
  local i = 1
  while i <= #inlines do
    local el = inlines[i]
    local done = false
    if el.t == "Str" then
      -- the longest term that matches here; when it is linked already, its words stay as they
      -- are (so that "Fokus Kompetensförsörjning" does not link its last word to another term)
      for _, term in ipairs(state.terms) do
        local m = match_at(inlines, i, term.words)
        if m then
          if state.used[term.id] then
            for k = i, m.last do
              out:insert(inlines[k])
            end
          else
            state.used[term.id] = true
            if m.prefix ~= "" then
              out:insert(pandoc.Str(m.prefix))
            end
            out:insert(pandoc.Link(m.content, state.href .. "#" .. term.id, "", { class = "kr-ordlista" }))
            if m.suffix ~= "" then
              out:insert(pandoc.Str(m.suffix))
            end
          end
          i = m.last
          done = true
          break
        end
      end
    elseif CONTAINERS[el.t] then
      el.content = link_inlines(el.content, state)
    end
    if not done then
      out:insert(el)
    end
    i = i + 1
  end
  return out
end

local function link_blocks(blocks, state)
  for _, block in ipairs(blocks) do
    local t = block.t
    if t == "Para" or t == "Plain" then
      block.content = link_inlines(block.content, state)
    elseif t == "BulletList" or t == "OrderedList" then
      for _, item in ipairs(block.content) do
        link_blocks(item, state)
      end
    elseif t == "BlockQuote" or (t == "Div" and not block.classes:includes("hidden")) then
      link_blocks(block.content, state)
    elseif t == "DefinitionList" then
      for _, item in ipairs(block.content) do
        for _, definition in ipairs(item[2]) do
          link_blocks(definition, state)
        end
      end
    end
    -- headings, tables, figures, code and raw blocks are left as they are
  end
end

return {
  {
    Pandoc = function(doc)
      if not quarto.doc.is_format("html") then
        return nil
      end
      local prefix, relative = prefix_to_root()
      if relative == GLOSSARY then
        return nil
      end
      local terms = read_terms()
      if #terms == 0 then
        return nil
      end
      local state = { terms = terms, used = {}, href = prefix .. "ordlista.html" }
      link_blocks(doc.blocks, state)
      return doc
    end,
  },
}
