"""Importers for the official documents (statutory guidance, workbook).

Pure Python: they read .txt and .docx files into the frozen structure of
``content.importers.structure`` and know nothing of Django or Wagtail, which
turn that structure into pages elsewhere.
"""

from __future__ import annotations
