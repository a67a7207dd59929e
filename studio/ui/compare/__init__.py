"""The Compare tab: side by side (step), batch with task meters (batch), blind A/B test (blind)."""
