# Logstash ruby filter (path => this file): lifts Airflow's task log lines into
# the fields Airflow's Elasticsearch reader queries, sorts and shows.
#
# Airflow 3 (apache-airflow-providers-elasticsearch, ElasticsearchRemoteLogIO.upload
# with [elasticsearch] write_stdout and json_format) prints, when a task try ends,
# every line of its log file to stdout as one JSON object with `log_id` (from
# [elasticsearch] log_id_template) and `offset` (1, 2, 3, ...). Filebeat's
# container parser delivers each stdout line in [message]. The reader
# (ElasticsearchRemoteLogIO.read) matches `log_id`, sorts by `offset`, groups
# by [elasticsearch] host_field (host.name, Filebeat's) and shows the
# top-level fields timestamp, event, level, chan and logger.
#
# Every other line passes unchanged. No state: safe with many pipeline workers.
require 'json'

# Instance variables, not constants: Logstash evaluates this file in a script
# context per filter instance (and again on every pipeline reload).
def register(params)
  # The fields the reader shows (error_detail by newer providers: an exception's
  # frames). Anything else a task logged stays in the raw line, [airflow_line].
  @shown = %w[timestamp event level chan logger error_detail].freeze
  @tag = 'airflow-task-log'
end

def filter(event)
  message = event.get('message')
  return [event] unless message.is_a?(String) && message.start_with?('{') && message.include?('"log_id"')

  begin
    line = JSON.parse(message)
  rescue JSON::ParserError
    return [event]
  end
  return [event] unless line.is_a?(Hash)

  log_id = line['log_id']
  offset = line['offset']
  offset = Integer(offset, 10) if offset.is_a?(String) && offset.match?(/\A[0-9]+\z/)
  return [event] unless log_id.is_a?(String) && !log_id.empty? && offset.is_a?(Integer) && offset.positive?

  # Filebeat and ECS use [event] as an object; Airflow's [event] is the line's
  # text. The raw JSON line stays in [airflow_line].
  event.remove('event')
  event.set('airflow_line', message)
  event.set('log_id', log_id)
  event.set('offset', offset)
  @shown.each do |field|
    event.set(field, line[field]) unless line[field].nil?
  end
  text = line['event'].is_a?(String) ? line['event'] : ''
  event.set('event', text)
  # Kibana's Discover shows [message]: the text, not the JSON.
  event.set('message', text)
  event.tag(@tag)
  [event]
end
