/* SPDX-License-Identifier: BSD-3-Clause */
/* PFC watchdog: storm detection and restoration (see loom/tm/pfc_watchdog.h). */
#include <string.h>

#include "loom/tm/pfc_watchdog.h"

void loom_pfc_wd_cfg_default(struct loom_pfc_wd_cfg *cfg)
{
	cfg->detect_ns = LOOM_PFC_WD_DEFAULT_DETECT_NS;
	cfg->restore_ns = LOOM_PFC_WD_DEFAULT_RESTORE_NS;
	cfg->action = LOOM_PFC_WD_DROP;
}

void loom_pfc_wd_init(struct loom_pfc_wd *w)
{
	memset(w, 0, sizeof(*w));
	w->paused_since = LOOM_TIME_NEVER;
}

static bool storm_due(const struct loom_pfc_wd *w, const struct loom_pfc_wd_cfg *cfg, loom_time_ns now)
{
	return cfg->detect_ns && w->paused_since != LOOM_TIME_NEVER && now >= w->paused_since &&
	       now - w->paused_since >= cfg->detect_ns;
}

static enum loom_pfc_wd_event declare(struct loom_pfc_wd *w)
{
	w->stormed = 1;
	w->st.storms++;
	w->paused_since = LOOM_TIME_NEVER;
	return LOOM_PFC_WD_STORM;
}

bool loom_pfc_wd_on_pause(struct loom_pfc_wd *w, const struct loom_pfc_wd_cfg *cfg, uint16_t quanta,
			  bool held_before, loom_time_ns now, enum loom_pfc_wd_event *ev)
{
	*ev = LOOM_PFC_WD_NONE;
	w->last_pause = now;
	if (w->stormed) {
		w->st.pauses_ignored++;
		return false;
	}
	if (quanta == 0) { /* RESUME: the episode ends */
		w->paused_since = LOOM_TIME_NEVER;
		return true;
	}
	if (!held_before || w->paused_since == LOOM_TIME_NEVER)
		w->paused_since = now;
	if (storm_due(w, cfg, now)) {
		*ev = declare(w);
		w->st.pauses_ignored++;
		return false;
	}
	return true;
}

enum loom_pfc_wd_event loom_pfc_wd_check(struct loom_pfc_wd *w, const struct loom_pfc_wd_cfg *cfg, bool held,
					 loom_time_ns now)
{
	if (w->stormed) {
		if (now >= w->last_pause && now - w->last_pause >= cfg->restore_ns) {
			w->stormed = 0;
			w->st.restores++;
			w->paused_since = LOOM_TIME_NEVER;
			return LOOM_PFC_WD_RESTORED;
		}
		return LOOM_PFC_WD_NONE;
	}
	if (!held) {
		w->paused_since = LOOM_TIME_NEVER;
		return LOOM_PFC_WD_NONE;
	}
	return storm_due(w, cfg, now) ? declare(w) : LOOM_PFC_WD_NONE;
}

loom_time_ns loom_pfc_wd_next_check(const struct loom_pfc_wd *w, const struct loom_pfc_wd_cfg *cfg,
				    loom_time_ns held_until)
{
	loom_time_ns at;

	if (w->stormed)
		return w->last_pause > LOOM_TIME_NEVER - cfg->restore_ns ? LOOM_TIME_NEVER
									  : w->last_pause + cfg->restore_ns;
	if (!cfg->detect_ns || w->paused_since == LOOM_TIME_NEVER ||
	    w->paused_since > LOOM_TIME_NEVER - cfg->detect_ns)
		return LOOM_TIME_NEVER;
	at = w->paused_since + cfg->detect_ns;
	/* the hold ends first: the episode ends with it, unless a new PAUSE
	 * (which re-arms the timers) extends it */
	return held_until >= at ? at : LOOM_TIME_NEVER;
}
