"""The knowledge base: ingestion and bilingual retrieval with citations."""

__all__: list[str] = []
