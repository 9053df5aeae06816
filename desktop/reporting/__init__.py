"""Reports that reach IT, without Qt: the report document, what is left out, the outbox
that never loses one, and the transports that deliver it."""
