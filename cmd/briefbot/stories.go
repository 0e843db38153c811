package main

import (
	"fmt"
	"text/tabwriter"

	"github.com/spf13/cobra"

	"github.com/briefbot/briefbot/briefings"
	"github.com/briefbot/briefbot/commands"
)

func newStoriesCommand(a *app) *cobra.Command {
	var limit int
	cmd := &cobra.Command{
		Use:   "stories",
		Short: "List the stories the articles cluster into (title, id, dates, articles)",
		Long: "Articles are grouped into stories by the countries, organizations and people their facts are about, within\n" +
			"15 months of each other. A story's title or id (or some words of the title) filters summary, timeline,\n" +
			"sources and digests: briefbot ask summary us-niger-withdrawal-2024-04-20.",
		Example: "  briefbot stories\n  briefbot stories --limit 200",
		Args:    cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			if limit < 1 || limit > briefings.MaxStoryLimit {
				return fmt.Errorf("--limit %d is out of range; use 1 to %d", limit, briefings.MaxStoryLimit)
			}
			return a.withRuntime(cmd, true, func(rt *runtime) error {
				sts, err := rt.service.Stories(cmd.Context(), limit)
				if err != nil {
					return err
				}
				if len(sts) == 0 {
					fmt.Fprintln(a.stdout, "No stories yet: articles are grouped into stories as they are added (briefbot ingest FILE|DIR|URL).")
					return nil
				}
				tw := tabwriter.NewWriter(a.stdout, 0, 2, 2, ' ', 0)
				fmt.Fprintln(tw, "TITLE\tID\tDATES\tARTICLES")
				for _, s := range sts {
					fmt.Fprintf(tw, "%s\t%s\t%s\t%d\n", s.Title, s.ID, commands.StoryDates(s), s.Articles)
				}
				if err := tw.Flush(); err != nil {
					return err
				}
				if len(sts) == limit {
					fmt.Fprintf(a.stdout, "(the %d most recent; --limit shows more)\n", limit)
				}
				return nil
			})
		},
	}
	cmd.Flags().IntVar(&limit, "limit", 50, "how many stories to list, most recent first")
	return cmd
}
