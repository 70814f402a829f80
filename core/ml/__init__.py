"""Small offline models of the local engine: embeddings, techniques, claims, stance."""
