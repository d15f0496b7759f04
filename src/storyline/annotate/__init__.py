"""The annotate stage: entities, places, quotes, quantities and times on each article (pipeline.py)."""

# Bumped when annotators change what they produce, so stored annotations are recomputed.
# 2: named speakers only, ages and containment, back-referring times; 3: times (quarters, spans,
# deadlines), places (same-level and nearby-name support), quotes (listener and speaker checks);
# 4: quotes from the fine-tuned transformer tagger.
ANNOTATIONS_VERSION = 4
