// Render math with the site's own KaTeX, on every page load, including Material's instant navigation.
// Markdown pages: pymdownx.arithmatex (generic mode) leaves \( \) and \[ \].
// Notebook pages (mkdocs-jupyter): the cells keep Jupyter's $ $ and $$ $$.
document$.subscribe(({ body }) => {
  renderMathInElement(body, {
    delimiters: [
      { left: "\\(", right: "\\)", display: false },
      { left: "\\[", right: "\\]", display: true },
    ],
    throwOnError: false,
  })
  body.querySelectorAll(".jupyter-wrapper").forEach((notebook) => {
    renderMathInElement(notebook, {
      delimiters: [
        { left: "$$", right: "$$", display: true },
        { left: "$", right: "$", display: false },
      ],
      throwOnError: false,
    })
  })
})
