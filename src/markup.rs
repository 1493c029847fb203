//! The UI's larger pieces of fixed markup: the partition buttons and the
//! node and link menus' fault rows. In the browser bundle they are empty
//! and come with the texts fetched before the app starts
//! (`i18n/scenarios.json`, by the keys in [`ALL`]); translated like any
//! text (`i18n/zh.json` holds their Chinese markup).

/// The partition buttons (markup: see [`crate::partitions`] for the shapes).
pub const SPLITS: &str = crate::about!("Split: <button data-testid=\"nemesis-halves\" data-shape=\"halves\" class=\"rv-btn rv-small\" title=\"A minority and a majority\">halves</button> <button data-testid=\"nemesis-leader\" data-shape=\"leader\" class=\"rv-btn rv-small\" title=\"Cut the leader off\">leader</button> <button data-testid=\"nemesis-bridge\" data-shape=\"bridge\" class=\"rv-btn rv-small\" title=\"Two halves, one node in the middle sees both\">bridge</button> <button data-testid=\"nemesis-ring\" data-shape=\"ring\" class=\"rv-btn rv-small\" title=\"Each node sees a majority, no two the same\">ring</button> <button data-testid=\"btn-nemesis-random\" data-shape=\"random\" data-on=\"false\" class=\"rv-btn rv-small rv-nemesis\" title=\"While playing, a seeded schedule of faults: crashes, pauses, clocks, partitions, slow links\">random faults</button>");

/// The node menu's fault rows, `{off}` where a button may be disabled.
pub const NODE_FAULTS: &str = crate::about!("<button data-testid=\"action-power-loss\" data-act=\"power\" class=\"rv-menu-item\"{off} title=\"A crash that also loses what was not flushed to disk\">Power loss</button>\
<div class=\"rv-menu-row\"><button data-testid=\"action-pause\" data-act=\"pause\" class=\"rv-menu-item\"{off} title=\"Stop the world: it handles nothing, its timers wait, then it goes on with its old beliefs\">Pause for</button><input data-testid=\"pause-ms\" id=\"pause-ms\" type=\"number\" min=\"1\" max=\"60000\" value=\"1000\" class=\"rv-num\"> ms</div>\
<div class=\"rv-menu-row\"><button data-testid=\"action-clock\" data-act=\"clock\" class=\"rv-menu-item\" title=\"Its wall clock reads this far off; its timers run at this rate\">Clock</button><input data-testid=\"clock-offset\" id=\"clock-offset\" type=\"number\" value=\"0\" class=\"rv-num\"> ms <input data-testid=\"clock-rate\" id=\"clock-rate\" type=\"number\" min=\"50\" max=\"200\" value=\"100\" class=\"rv-num\"> %</div>\
<button data-testid=\"nemesis-isolate\" data-act=\"isolate\" class=\"rv-menu-item\">Isolate (cut every link)</button>");

/// The link menu's network items, as markup.
pub const LINK_FAULTS: &str = crate::about!("<div class=\"rv-menu-row\" title=\"Latency, loss and duplication of this link, both ways\"><input data-testid=\"link-latency\" id=\"link-latency\" type=\"number\" min=\"1\" value=\"100\" class=\"rv-num\"> ms <input data-testid=\"link-loss\" id=\"link-loss\" type=\"number\" min=\"0\" max=\"100\" value=\"0\" class=\"rv-num\"> % lost <input data-testid=\"link-dup\" id=\"link-dup\" type=\"number\" min=\"0\" max=\"100\" value=\"0\" class=\"rv-num\"> % dup</div>\
<label class=\"rv-menu-row\" title=\"Later messages wait for earlier ones, as over TCP; unchecked, they overtake each other when latencies vary\"><input data-testid=\"link-fifo\" id=\"link-fifo\" type=\"checkbox\"> in order (FIFO)</label>\
<button data-testid=\"action-link-net\" data-act=\"link\" class=\"rv-menu-item\">Set this link (slow, lossy)</button>\
<button data-testid=\"action-net-all\" data-act=\"net\" class=\"rv-menu-item\">Set every link</button>");

/// The pieces by key, for the fetched texts' file.
pub const ALL: [(&str, &str); 3] = [
    ("ui:splits", SPLITS),
    ("ui:node-faults", NODE_FAULTS),
    ("ui:link-faults", LINK_FAULTS),
];
