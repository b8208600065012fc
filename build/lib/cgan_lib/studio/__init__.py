"""The studios: ipywidgets UIs over a conditional generator (notebook 5), and the one-page studio
that Voilà serves."""
