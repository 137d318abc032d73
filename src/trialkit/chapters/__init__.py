"""The book's computations: Part I (``response``, ``estimands``, ``randomised``, ``overview``,
``catalogue``), the tables of a trial's chapter (``baseline``, ``tower``) and the recomputation ledger
(``ledger``). They read the data and call the engine; charts and pages call them."""
