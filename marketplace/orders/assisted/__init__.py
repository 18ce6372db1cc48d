"""Assisted ordering: staff of a sales point or Regio-Hub order for a resident who phoned or came by."""
