"""pytest collects docs/ for the fences of the pages, and pytest-markdown-docs imports every .py file
there to read its docstrings. The files in this folder are downloads for readers (made by
`python -m kb downloads`): importing one would run its inlined modules. Their tests are in
tests/test_downloads.py, which runs them outside the repository."""

collect_ignore_glob = ["*"]
