"""The statutory annual report (reg 13(3) SI 2006/1738): stage records, import, queries, charts, exports."""
