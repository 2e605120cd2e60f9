"""The Open Threat Model wing: export an analysed model as OTM 0.2.0, import an OTM document."""
