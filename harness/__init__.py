"""A cluster of Aduan nodes under faults (docs/FEDERATION.md, "Proof under faults")."""
