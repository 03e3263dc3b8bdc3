"""The knowledge base: ingestion and bilingual retrieval with citations.

    from knowledge import KnowledgeBase, KnowledgeSource

    kb = KnowledgeBase.open(KnowledgeSource.from_playbook(playbook_path), data_dir=settings.data_dir,
                            chroma_url=settings.chroma_url)
    result = kb.search("можно ли отменить запись")      # SearchResult: passages, confidence, answerable
    reply = kb.answer("how late can I cancel?")          # Answer(text, citation, …) or None

See docs/knowledge.md.
"""

from knowledge.answer import Answer
from knowledge.base import KnowledgeBase
from knowledge.business import KnowledgeSource
from knowledge.embeddings import Embedder, SentenceTransformerEmbedder, shared_embedder
from knowledge.ingest import IngestReport, SkippedDocument
from knowledge.model import Chunk, KnowledgeError
from knowledge.retrieval import LanguageProfile, Passage, RetrievalSettings, SearchResult

__all__ = [
    "Answer",
    "Chunk",
    "Embedder",
    "IngestReport",
    "KnowledgeBase",
    "KnowledgeError",
    "KnowledgeSource",
    "LanguageProfile",
    "Passage",
    "RetrievalSettings",
    "SearchResult",
    "SentenceTransformerEmbedder",
    "SkippedDocument",
    "shared_embedder",
]
