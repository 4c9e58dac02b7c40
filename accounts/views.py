# The home view moved to challenges.views.home: it lists open programmes.
