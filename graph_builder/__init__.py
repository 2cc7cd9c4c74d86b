"""规划任务图谱 — turn Chinese five-year plans into a traceable knowledge graph.

Pipeline, top to bottom: ingest → normalize → outline → extract → link → store → analyse → present.
"""
__version__ = "0.1.0"
