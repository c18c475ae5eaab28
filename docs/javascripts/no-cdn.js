// mkdocs-jupyter loads MathJax from a CDN unless given another URL; it gets this empty local file,
// since the site renders math with its own copy of KaTeX (assets/katex/) and requests nothing outside.
