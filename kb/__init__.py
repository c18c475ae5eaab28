"""Support code for the CNN knowledge base: recorded snippet outputs, tracked reading lists and
questions, and the Markdown directives that render them. Plain Python, tested on its own; the MkDocs
hook in `kb/mkdocs_hook.py` only calls into it."""
