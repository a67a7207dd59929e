"""Export: the adapter as a zip, a merged model, a push to the hub, and the import of an adapter made
elsewhere, checked against its base model."""
