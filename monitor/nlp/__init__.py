"""Vietnamese text analysis: normalisation, mention matching, language, topic and tone (no work at import)."""
