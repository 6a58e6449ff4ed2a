"""Numbers out: plan model, store, statistics and figures. Never imports streamlit."""
