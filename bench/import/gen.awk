# gen.awk - deterministic benchmark data: `awk -v what=customers -v n=N`
# or `awk -v what=events -v n=N -v customers=C` writes a cxm import CSV.
# Events come in time order over one year with sequential source ids, as an
# upstream system would send them; a fifth are purchases with an amount.
BEGIN {
	srand(42)
	split("web app email sms phone store chat social", ch, " ")
	split("page_view page_view page_view purchase delivery call chat email_open", ty, " ")
	split("home product_page checkout help_widget instagram_ad shipping_notice", tp, " ")
	split("Ana Luis María José Emily John Lucía Carlos Sofía Jack", fn, " ")
	split("Gómez Pérez Núñez Smith Clarke García Rodríguez Brown", ln, " ")
	if (what == "customers") {
		print "external_id,first_name,last_name,email,phone,language,country,consent.email,attr.segment"
		for (i = 1; i <= n; i++) {
			f = fn[1 + i % 10]; l = ln[1 + i % 8]
			printf "C%07d,%s,%s,c%07d@example.com,+57300%07d,%s,%s,%s,%s\n", i, f, l, i, i,
				(i % 3 ? "es" : "en"), (i % 3 ? "CO" : "US"), (i % 4 ? "yes" : "no"),
				(i % 5 ? "silver" : "gold")
		}
		exit
	}
	print "id,external_id,type,channel,ts,touchpoint,agent,amount,currency,prop.sku"
	t0 = 1761955200 # 2025-11-01T00:00:00Z
	for (i = 1; i <= n; i++) {
		c = 1 + int(rand() * customers)
		k = 1 + int(rand() * 8)
		t = t0 + int(i * (31536000 / n))
		secs = t % 86400; days = int(t / 86400)
		# civil date from days (Howard Hinnant)
		z = days + 719468; era = int(z / 146097); doe = z - era * 146097
		yoe = int((doe - int(doe / 1460) + int(doe / 36524) - int(doe / 146096)) / 365)
		y = yoe + era * 400; doy = doe - (365 * yoe + int(yoe / 4) - int(yoe / 100))
		mp = int((5 * doy + 2) / 153); d = doy - int((153 * mp + 2) / 5) + 1
		m = mp < 10 ? mp + 3 : mp - 9; if (m <= 2) y++
		ts = sprintf("%04d-%02d-%02dT%02d:%02d:%02dZ", y, m, d, int(secs / 3600), int(secs % 3600 / 60), secs % 60)
		type = ty[k]
		if (type == "purchase")
			printf "e%08d,C%07d,purchase,%s,%s,checkout,,%d.%02d,COP,SKU-%d\n", i, c, (rand() < 0.5 ? "web" : "store"), ts, 20000 + int(rand() * 900000), int(rand() * 100), int(rand() * 500)
		else if (type == "call")
			printf "e%08d,C%07d,call,phone,%s,,agent%d,,,\n", i, c, ts, int(rand() * 40)
		else
			printf "e%08d,C%07d,%s,%s,%s,%s,,,,\n", i, c, type, ch[1 + int(rand() * 8)], ts, tp[1 + int(rand() * 6)]
	}
}
